/**
 * The staff console's built assets (console/, a Vite + React + Ant Design app). `npm start` and
 * the tests build it when it is missing or stale and reuse it otherwise: the output lives in
 * node_modules/.cache/carepath/console/<digest>/ (never committed; `npm ci` starts afresh), named
 * by a digest of every console source file and the lockfile. Built into a staging directory
 * that is then renamed into place, so a process never serves half a build, and two processes
 * building at once (parallel tests) both end with the same one. Assets are also written brotli- and gzip-compressed
 * for the static server to send as they are.
 */
import { createHash } from 'node:crypto';
import { existsSync, mkdirSync, readdirSync, readFileSync, renameSync, rmSync, statSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { brotliCompressSync, constants, gzipSync } from 'node:zlib';
import type { Progress } from '../infra/progress.ts';

const ROOT = fileURLToPath(new URL('..', import.meta.url));
const CONSOLE_DIR = path.join(ROOT, 'console');
const CACHE_DIR = path.join(ROOT, 'node_modules', '.cache', 'carepath', 'console');
const BUILD_FORMAT = 1;
/** Earlier builds kept beside the current one. */
const KEPT_BUILDS = 3;
const COMPRESSIBLE = /\.(js|css|html|svg|json)$/;

const sha256 = (file: string) => createHash('sha256').update(readFileSync(file)).digest('hex');

/** Every file of the console's sources (relative to the repository), sorted. */
function consoleSources(dir = CONSOLE_DIR): string[] {
  const out: string[] = [];
  for (const entry of readdirSync(dir, { withFileTypes: true })) {
    const file = path.join(dir, entry.name);
    if (entry.isDirectory()) out.push(...consoleSources(file));
    else out.push(path.relative(ROOT, file));
  }
  return out.sort();
}

/** A digest of the console's sources and the lockfile: the name of the build made from them. */
function fingerprint(): string {
  const hash = createHash('sha256').update(`format ${BUILD_FORMAT}\n`);
  for (const file of [...consoleSources(), 'package-lock.json']) hash.update(`${file} ${sha256(path.join(ROOT, file))}\n`);
  return hash.digest('hex').slice(0, 16);
}

/** The directory of the console's built files (index.html, assets/), built now if missing or stale. */
export async function ensureConsoleBuild(progress: Progress): Promise<{ dir: string; built: boolean }> {
  const name = fingerprint();
  const dir = path.join(CACHE_DIR, name);
  if (existsSync(path.join(dir, 'index.html'))) return { dir, built: false };
  const started = Date.now();
  progress('building the staff console (once after a change to console/)…');
  mkdirSync(CACHE_DIR, { recursive: true });
  const staging = path.join(CACHE_DIR, `.staging-${process.pid}-${Date.now()}`);
  const { build } = await import('vite');
  await build({ configFile: path.join(CONSOLE_DIR, 'vite.config.ts'), build: { outDir: staging }, logLevel: 'warn' });
  let bytes = 0;
  for (const file of builtFiles(staging)) {
    const content = readFileSync(file);
    bytes += content.length;
    if (!COMPRESSIBLE.test(file)) continue;
    writeFileSync(`${file}.br`, brotliCompressSync(content, { params: { [constants.BROTLI_PARAM_QUALITY]: 9 } }));
    writeFileSync(`${file}.gz`, gzipSync(content, { level: 9 }));
  }
  try {
    renameSync(staging, dir);
  } catch (err) {
    // Another process built the same sources meanwhile: its build is as good as this one.
    if (!existsSync(path.join(dir, 'index.html'))) throw err;
    rmSync(staging, { recursive: true, force: true });
  }
  removeOtherBuilds(name);
  progress(`staff console built in ${((Date.now() - started) / 1000).toFixed(1)} s (${(bytes / 1_048_576).toFixed(1)} MiB)`);
  return { dir, built: true };
}

/** Keeps the newest builds (an API started earlier may still serve one of them); removes older ones and stale staging. */
function removeOtherBuilds(keep: string): void {
  const builds = readdirSync(CACHE_DIR, { withFileTypes: true })
    .filter((e) => e.isDirectory() && e.name !== keep)
    // Another process's build in progress: left alone unless it was abandoned long ago.
    .filter((e) => !e.name.startsWith('.staging-') || Date.now() - statSync(path.join(CACHE_DIR, e.name)).mtimeMs > 86_400_000)
    .map((e) => ({ dir: path.join(CACHE_DIR, e.name), mtime: statSync(path.join(CACHE_DIR, e.name)).mtimeMs }))
    .sort((x, y) => y.mtime - x.mtime);
  for (const [i, build] of builds.entries()) {
    if (i >= KEPT_BUILDS || Date.now() - build.mtime > 7 * 86_400_000) rmSync(build.dir, { recursive: true, force: true });
  }
}

function builtFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((e) => e.isFile())
    .map((e) => path.join(e.parentPath, e.name));
}
