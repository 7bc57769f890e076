/**
 * Compile-time checking of CEL expressions (conditions, score rules, reading thresholds) with
 * @marcbachmann/cel-js's Environment: every variable an expression reads must be declared,
 * and the expression must give true or false. Never JavaScript eval.
 */
import { Environment } from '@marcbachmann/cel-js';
import { constructHint } from './hints.ts';

export type CelType = 'bool' | 'int' | 'double' | 'string';

export type CheckResult = { ok: true } | { ok: false; rule: 'expression-syntax' | 'expression-type'; message: string; offset: number };

export interface Scope {
  variables: Record<string, CelType>;
  /** Questionnaire answers: `items.q10`; undefined when the questionnaire is unknown. */
  items?: string[] | 'any';
}

/** Type-checks a boolean expression in a scope of declared variables. */
export function checkCondition(source: string, scope: Scope): CheckResult {
  const env = environmentFor(scope);
  let result: ReturnType<Environment['check']>;
  try {
    result = env.check(source);
  } catch (err) {
    const hint = constructHint(source);
    return { ok: false, rule: 'expression-syntax', message: hint ? `${hint.message} in '${source}'` : firstLine(err), offset: hint?.offset ?? 0 };
  }
  if (!result.valid) {
    const hint = constructHint(source);
    if (hint) return { ok: false, rule: 'expression-syntax', message: `${hint.message} in '${source}'`, offset: hint.offset };
    const error = result.error as { name?: string; message: string; code?: string; range?: { start: number } };
    const rule = error.name === 'ParseError' ? 'expression-syntax' : 'expression-type';
    let message = firstLine(error);
    const unknown = /^Unknown variable: (.+)$/.exec(message);
    if (unknown) message = `unknown variable '${unknown[1]}'${hintFor(unknown[1]!, scope)}`;
    const overload = /^no such overload: (\S+) (\S+) (\S+)$/.exec(message);
    if (overload) message = `'${overload[2]}' cannot combine ${overload[1]} and ${overload[3]}`;
    const key = /^No such key: (.+)$/.exec(message);
    if (key) message = `the questionnaire has no item '${key[1]}'${Array.isArray(scope.items) ? ` (items: ${scope.items.join(', ')})` : ''}`;
    return { ok: false, rule, message: `${message} in '${source}'`, offset: error.range?.start ?? 0 };
  }
  if (result.type !== 'bool' && result.type !== 'dyn') {
    return { ok: false, rule: 'expression-type', message: `'${source}' must give true or false, but gives ${result.type}`, offset: 0 };
  }
  return { ok: true };
}

const environments = new Map<string, Environment>();

/** Environments are costly to build; scopes repeat across a pathway's expressions. */
function environmentFor(scope: Scope): Environment {
  const key = JSON.stringify([Object.entries(scope.variables).sort(), scope.items ?? null]);
  let env = environments.get(key);
  if (!env) {
    env = new Environment({ limits: { maxAstNodes: 2_000, maxDepth: 50 } });
    for (const [name, type] of Object.entries(scope.variables)) env = env.registerVariable(name, type);
    if (scope.items === 'any') env = env.registerVariable('items', 'map<string, int>');
    else if (scope.items) env = env.registerVariable({ name: 'items', schema: Object.fromEntries(scope.items.map((i) => [i, 'int'])) });
    environments.set(key, env);
  }
  return env;
}

function hintFor(name: string, scope: Scope): string {
  const known = [...Object.keys(scope.variables), ...(scope.items ? ['items'] : [])].sort();
  return known.length ? `; known here: ${known.join(', ')}` : '; declare it under variables:';
}

function firstLine(err: unknown): string {
  const text = err instanceof Error ? err.message : String((err as { message?: unknown })?.message ?? err);
  return text.split('\n')[0]!.trim();
}
