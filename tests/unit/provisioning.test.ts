import { chmodSync, mkdirSync, mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { CarepathError } from '../../config/errors.ts';
import { cacheDir } from '../../infra/cache.ts';
import { cachedTemporalCliPath, ensureTemporalCli, findTemporalCli } from '../../infra/temporal-cli.ts';
import { findTestServer, TEST_SERVER_VERSION } from '../../infra/test-server.ts';
import { silentProgress } from '../../infra/progress.ts';

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

  it('keeps the cache outside the repository, under the pinned version', () => {
    expect(cachedTemporalCliPath({ CAREPATH_CACHE_DIR: '/c' })).toBe('/c/temporal-cli/v1.5.1/temporal');
    expect(cacheDir({ XDG_CACHE_HOME: '/x' })).toBe('/x/carepath');
  });

  it('rejects a TEMPORAL_CLI that is not an executable file', () => {
    const notExecutable = path.join(scratch(), 'temporal');
    writeFileSync(notExecutable, 'not a program');
    expect(() => findTemporalCli({ TEMPORAL_CLI: notExecutable })).toThrow(/TEMPORAL_CLI=.* is not an executable file/);
  });

  it('says what to install when there is neither a CLI nor Go', async () => {
    const env = { CAREPATH_CACHE_DIR: scratch(), PATH: scratch() };
    await expect(ensureTemporalCli(silentProgress, env)).rejects.toThrow(CarepathError);
    await expect(ensureTemporalCli(silentProgress, env)).rejects.toThrow(/install Go .*or put `temporal` on PATH, or set TEMPORAL_CLI/);
  });

  it('reports a failed go install with its last output lines and leaves no binary behind', async () => {
    const dir = scratch();
    executable(path.join(dir, 'bin', 'go'), '#!/bin/sh\necho "go: module lookup disabled" >&2\nexit 1\n');
    const env = { CAREPATH_CACHE_DIR: path.join(dir, 'cache'), PATH: path.join(dir, 'bin') };
    await expect(ensureTemporalCli(silentProgress, env)).rejects.toThrow(/go install .*failed \(exit 1\): go: module lookup disabled/);
    expect(findTemporalCli(env)).toBeNull();
  });
});

describe('finding the time-skipping test server', () => {
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
