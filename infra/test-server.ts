import { chmodSync, existsSync, mkdirSync, readFileSync, renameSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { CarepathError } from '../config/errors.ts';
import { cacheDir } from './cache.ts';
import { findOnPath, isExecutable } from './executables.ts';
import type { Progress } from './progress.ts';
import { runCommand } from './run-command.ts';

/** io.temporal:temporal-test-server from Maven Central: the newest release served here. */
export const TEST_SERVER_VERSION = '1.38.0';
const MAIN_CLASS = 'io.temporal.testserver.TestServer';
const POM = fileURLToPath(new URL('./test-server/pom.xml', import.meta.url));

type Env = Record<string, string | undefined>;

export interface ResolvedTestServer {
  /** An executable that @temporalio/testing runs as `<path> <port>` (type 'existing-path'). */
  path: string;
  source: 'TEMPORAL_TEST_SERVER' | 'cache' | 'built';
}

function layout(env: Env) {
  const dir = path.join(cacheDir(env), 'temporal-test-server', TEST_SERVER_VERSION);
  return { dir, launcher: path.join(dir, 'launcher.sh'), classpath: path.join(dir, 'classpath.txt') };
}

/** Finds the launcher without resolving anything: TEMPORAL_TEST_SERVER → the cache (if its jars are all still there). */
export function findTestServer(env: Env = process.env): ResolvedTestServer | null {
  if (env.TEMPORAL_TEST_SERVER) {
    if (!isExecutable(env.TEMPORAL_TEST_SERVER)) {
      throw new CarepathError('test-server-missing', `TEMPORAL_TEST_SERVER=${env.TEMPORAL_TEST_SERVER} is not an executable file`);
    }
    return { path: env.TEMPORAL_TEST_SERVER, source: 'TEMPORAL_TEST_SERVER' };
  }
  const { launcher, classpath } = layout(env);
  if (!isExecutable(launcher) || !existsSync(classpath)) return null;
  // The jars live in the Maven repository (~/.m2), which may have been cleaned since.
  const jars = readFileSync(classpath, 'utf8').trim().split(path.delimiter);
  if (jars.length === 0 || !jars.every((jar) => existsSync(jar))) return null;
  return { path: launcher, source: 'cache' };
}

/** Finds the time-skipping test server, resolving it from Maven Central with Maven on first use. */
export async function ensureTestServer(progress: Progress, env: Env = process.env): Promise<ResolvedTestServer> {
  const found = findTestServer(env);
  if (found) return found;

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
    ['-B', '-q', '-Dstyle.color=never', '-f', POM, 'dependency:build-classpath', `-Dtemporal.test-server.version=${TEST_SERVER_VERSION}`, `-Dmdep.outputFile=${pending}`],
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
