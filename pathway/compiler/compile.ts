/**
 * The pathway compiler: YAML with positions → JSON Schema → semantic checks → compiled pathway.
 * Every problem is reported at once, each as one positioned diagnostic with a rule id.
 */
import { readFileSync } from 'node:fs';
import { dirname } from 'node:path';
import type { CompiledPathway } from '../model/compiled.ts';
import { Analysis, readDraft, str, type Environment } from './analysis.ts';
import { checkCatalogue } from './checks/catalogue.ts';
import { checkCycles } from './checks/cycles.ts';
import { checkExpressions } from './checks/expressions.ts';
import { checkIds } from './checks/ids.ts';
import { checkReferences } from './checks/references.ts';
import { checkSpan } from './checks/span.ts';
import { checkTiming } from './checks/timing.ts';
import { collectTriggers } from './checks/triggers.ts';
import { findContentDir, loadContent } from './content.ts';
import { sortDiagnostics, type Diagnostic } from './diagnostics.ts';
import { emitCompiled } from './emit.ts';
import { checkSchema } from './schema.ts';
import { Locator, parseSource } from './source.ts';
import { resolveTimezone } from './timezone.ts';
import { loadVocabulary } from './vocabulary.ts';

export const DEFAULT_TIMEZONE = 'Asia/Shanghai';

export interface CompileResult {
  /** Present only when there are no diagnostics. */
  compiled?: CompiledPathway;
  diagnostics: Diagnostic[];
}

/** Compiles pathway source text; `file` is used in diagnostics, `env` supplies content and vocabularies. */
export function compileSource(file: string, text: string, env: Environment): CompileResult {
  const parsed = parseSource(file, text);
  if (!parsed.source) return { diagnostics: sortDiagnostics(parsed.diagnostics) };
  const locator = new Locator(parsed.source);
  const value = parsed.source.value;
  if (!value || typeof value !== 'object' || Array.isArray(value)) {
    return {
      diagnostics: [{ file, line: 1, col: 1, rule: 'schema-type', message: 'a pathway file must be a mapping of fields (pathway:, version:, steps: …)' }],
    };
  }
  const diagnostics = [...parsed.diagnostics, ...checkSchema(value, locator)];
  const analysis = new Analysis(readDraft(value), locator, env);
  const timezone = str(analysis.draft.root, 'timezone') ?? DEFAULT_TIMEZONE;
  const tz = resolveTimezone(timezone);
  if (tz.ok) analysis.offsetMinutes = tz.offsetMinutes;
  else analysis.report(tz.rule, tz.message, ['timezone']);
  checkIds(analysis);
  collectTriggers(analysis);
  checkReferences(analysis);
  checkTiming(analysis);
  checkCatalogue(analysis);
  checkExpressions(analysis);
  checkCycles(analysis);
  checkSpan(analysis);
  const all = sortDiagnostics([...diagnostics, ...analysis.diagnostics]);
  if (all.length) return { diagnostics: all };
  return { compiled: emitCompiled(analysis, timezone), diagnostics: [] };
}

export interface CompileFileOptions {
  /** Content directory; by default the nearest `content/` at or above the file's folder. */
  contentDir?: string | null;
  /** Name used in diagnostics (defaults to the path as given). */
  displayName?: string;
  /** Source text to compile instead of the file's (e.g. an earlier committed copy of it). */
  text?: string;
}

/** Reads and compiles one pathway file, including errors of the content it uses. */
export function compileFile(path: string, options: CompileFileOptions = {}): CompileResult {
  const contentDir = options.contentDir !== undefined ? options.contentDir : findContentDir(dirname(path));
  const content = loadContent(contentDir);
  const result = compileSource(options.displayName ?? path, options.text ?? readFileSync(path, 'utf8'), { vocabulary: loadVocabulary(), content });
  if (content.diagnostics.length === 0) return result;
  const diagnostics = sortDiagnostics([...content.diagnostics, ...result.diagnostics]);
  return { diagnostics };
}
