/** Shared helpers for the pathway tests. */
import { fileURLToPath } from 'node:url';
import { compileFile } from '../../pathway/compiler/compile.ts';
import { renderDiagnostic } from '../../pathway/compiler/diagnostics.ts';
import type { CompiledPathway } from '../../pathway/model/compiled.ts';

export const FIXTURES = fileURLToPath(new URL('./fixtures/', import.meta.url));
export const REPO = fileURLToPath(new URL('../../', import.meta.url));

/** Compiles a fixture (path relative to tests/pathway/fixtures) and fails loudly on errors. */
export function compiled(name: string): CompiledPathway {
  const result = compileFile(`${FIXTURES}${name}`);
  if (!result.compiled) throw new Error(result.diagnostics.map(renderDiagnostic).join('\n'));
  return result.compiled;
}
