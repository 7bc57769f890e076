/**
 * Schemathesis (property-based testing of the API against /openapi.json), pinned and installed
 * with pip into a virtual environment in the tool cache on first use: PyPI is reachable here.
 */
import { existsSync } from 'node:fs';
import path from 'node:path';
import { cacheDir } from './cache.ts';
import type { Progress } from './progress.ts';
import { runCommand } from './run-command.ts';

export const SCHEMATHESIS_VERSION = '4.32.5';

/** The `st` executable of the pinned Schemathesis, installed when missing. */
export async function ensureSchemathesis(progress: Progress): Promise<string> {
  const venv = path.join(cacheDir(), 'schemathesis', SCHEMATHESIS_VERSION);
  const st = path.join(venv, 'bin', 'st');
  if (existsSync(st)) return st;
  progress(`installing schemathesis ${SCHEMATHESIS_VERSION} with pip into ${venv} (first run only; about a minute)…`);
  for (const [command, args] of [
    ['python3', ['-m', 'venv', venv]],
    [path.join(venv, 'bin', 'pip'), ['install', '--quiet', `schemathesis==${SCHEMATHESIS_VERSION}`]],
  ] as const) {
    const { code, tail } = await runCommand(command, args, { progress });
    if (code !== 0) throw new Error(`${command} ${args.join(' ')} failed (exit ${code}):\n${tail.join('\n')}`);
  }
  return st;
}
