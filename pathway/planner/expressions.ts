/**
 * Evaluates compiled CEL expressions. Type checking happened at compile time; here values are
 * only coerced to the CEL types the checker assumed (ints as BigInt). Parsed expressions are
 * cached by source text, which keeps repeated planner calls cheap and deterministic.
 */
import { parse } from '@marcbachmann/cel-js';
import type { CompiledExpression } from '../model/compiled.ts';

type Evaluator = ReturnType<typeof parse>;
const cache = new Map<string, Evaluator>();

export type ExpressionResult = { ok: true; value: boolean } | { ok: false; error: string };

/** Evaluates a boolean expression; unknown names and runtime errors come back as `ok: false`. */
export function evaluateCondition(expr: CompiledExpression, values: Record<string, unknown>): ExpressionResult {
  let fn = cache.get(expr.source);
  if (!fn) {
    fn = parse(expr.source);
    cache.set(expr.source, fn);
  }
  const context: Record<string, unknown> = {};
  for (const [name, type] of Object.entries(expr.vars)) {
    const value = values[name];
    if (value === undefined) continue;
    context[name] = coerce(value, type);
  }
  try {
    const result = fn(context);
    if (typeof result !== 'boolean') return { ok: false, error: `'${expr.source}' did not give true or false` };
    return { ok: true, value: result };
  } catch (err) {
    const message = err instanceof Error ? err.message.split('\n')[0] : String(err);
    return { ok: false, error: `'${expr.source}': ${message}` };
  }
}

/** Which of `names` an expression reads (identifiers outside string literals). */
export function namesRead(source: string, names: Iterable<string>): string[] {
  const bare = source.replace(/"(?:[^"\\]|\\.)*"|'(?:[^'\\]|\\.)*'/g, '""');
  const idents = new Set(bare.match(/[A-Za-z_][A-Za-z0-9_]*/g) ?? []);
  return [...names].filter((n) => idents.has(n));
}

function coerce(value: unknown, type: string): unknown {
  if (type === 'int' && typeof value === 'number') return BigInt(Math.trunc(value));
  if (type === 'double' && typeof value === 'number') return value;
  if (type === 'items' && value && typeof value === 'object') {
    const out: Record<string, bigint> = {};
    for (const [k, v] of Object.entries(value as Record<string, unknown>)) {
      if (typeof v === 'number') out[k] = BigInt(Math.trunc(v));
    }
    return out;
  }
  return value;
}
