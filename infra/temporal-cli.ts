import { mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { CarepathError } from '../config/errors.ts';
import { cacheDir } from './cache.ts';
import { findOnPath, isExecutable } from './executables.ts';
import type { Progress } from './progress.ts';
import { runCommand } from './run-command.ts';

/**
 * The Temporal CLI version built when no `temporal` is found. v1.5.1 is the newest release whose
 * go.mod has no `replace` directive: from v1.6.0 on, `replace …/cliext => ./cliext` makes
 * `go install module@version` refuse to build (see README § Temporal provisioning).
 */
export const TEMPORAL_CLI_VERSION = 'v1.5.1';
export const TEMPORAL_CLI_MODULE = 'github.com/temporalio/cli/cmd/temporal';

export type TemporalCliSource = 'TEMPORAL_CLI' | 'PATH' | 'cache' | 'built';

export interface ResolvedTemporalCli {
  path: string;
  source: TemporalCliSource;
}

type Env = Record<string, string | undefined>;

/** The cached binary's path for the pinned version (it may not exist yet). */
export function cachedTemporalCliPath(env: Env = process.env): string {
  return path.join(cacheDir(env), 'temporal-cli', TEMPORAL_CLI_VERSION, 'temporal');
}

/**
 * Finds a Temporal CLI without building anything: TEMPORAL_CLI → `temporal` on PATH → the cache.
 * Throws when TEMPORAL_CLI names something that is not an executable file.
 */
export function findTemporalCli(env: Env = process.env): ResolvedTemporalCli | null {
  if (env.TEMPORAL_CLI) {
    if (!isExecutable(env.TEMPORAL_CLI)) {
      throw new CarepathError('temporal-cli-missing', `TEMPORAL_CLI=${env.TEMPORAL_CLI} is not an executable file`);
    }
    return { path: env.TEMPORAL_CLI, source: 'TEMPORAL_CLI' };
  }
  const onPath = findOnPath('temporal', env.PATH);
  if (onPath) return { path: onPath, source: 'PATH' };
  const cached = cachedTemporalCliPath(env);
  if (isExecutable(cached)) return { path: cached, source: 'cache' };
  return null;
}

/** Finds the Temporal CLI, building the pinned version from its Go module on first use. */
export async function ensureTemporalCli(progress: Progress, env: Env = process.env): Promise<ResolvedTemporalCli> {
  const found = findTemporalCli(env);
  if (found) return found;

  const go = findOnPath('go', env.PATH);
  if (!go) {
    throw new CarepathError(
      'temporal-cli-missing',
      'no Temporal CLI found and no Go toolchain to build one: install Go ≥ 1.25 (https://go.dev/dl), ' +
        'or put `temporal` on PATH, or set TEMPORAL_CLI to its path',
    );
  }
  const target = cachedTemporalCliPath(env);
  mkdirSync(path.dirname(target), { recursive: true });
  // Build into a private directory and rename: a build cut short never leaves a broken binary behind.
  const staging = mkdtempSync(path.join(path.dirname(target), '.build-'));
  progress(`building the Temporal CLI ${TEMPORAL_CLI_VERSION} with go install (first run only; a few minutes)…`);
  const started = Date.now();
  try {
    const result = await runCommand(
      go,
      ['install', '-trimpath', '-ldflags=-s -w', `${TEMPORAL_CLI_MODULE}@${TEMPORAL_CLI_VERSION}`],
      { env: { ...process.env, ...env, CGO_ENABLED: '0', GOBIN: staging, GOFLAGS: '-mod=mod' }, progress },
    );
    if (result.code !== 0) {
      throw new CarepathError(
        'temporal-cli-build-failed',
        `go install ${TEMPORAL_CLI_MODULE}@${TEMPORAL_CLI_VERSION} failed (exit ${result.code}): ${result.tail.slice(-3).join(' | ')}. ` +
          'Put a Temporal CLI on PATH or set TEMPORAL_CLI to skip the build.',
      );
    }
    renameSync(path.join(staging, 'temporal'), target);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  progress(`Temporal CLI built in ${Math.round((Date.now() - started) / 1000)} s: ${target}`);
  return { path: target, source: 'built' };
}
