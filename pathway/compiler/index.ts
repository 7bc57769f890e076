/** The pathway compiler (Node only: reads files, uses yaml, ajv and node:crypto). */
export { compileFile, compileSource, DEFAULT_TIMEZONE } from './compile.ts';
export type { CompileFileOptions, CompileResult } from './compile.ts';
export { renderDiagnostic, sortDiagnostics } from './diagnostics.ts';
export type { Diagnostic } from './diagnostics.ts';
export { findContentDir, loadContent } from './content.ts';
export { loadVocabulary } from './vocabulary.ts';
export { RULES } from './rules.ts';
