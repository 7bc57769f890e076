import { spawnSync } from 'node:child_process';
import { mkdtempSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { describe, expect, inject, it } from 'vitest';
import { freePort } from '../../infra/ports.ts';

const bin = fileURLToPath(new URL('../../bin/carepath.js', import.meta.url));

/** Runs `carepath start` in a scratch directory; it must fail before serving anything. */
function start(env: Record<string, string>, configYaml?: string) {
  const cwd = mkdtempSync(path.join(tmpdir(), 'carepath-start-'));
  if (configYaml !== undefined) writeFileSync(path.join(cwd, 'temporal.config.yaml'), configYaml);
  const result = spawnSync(process.execPath, [bin, 'start'], {
    cwd,
    env: { PATH: process.env.PATH, HOME: process.env.HOME, PORT: '0', ...env },
    encoding: 'utf8',
    timeout: 60_000,
  });
  const lines = result.stderr.trim().split('\n');
  // Progress lines (`carepath: …`, a step that took over 2 s) may come first; never a stack trace.
  expect(lines.filter((l) => /^\s+at /.test(l))).toEqual([]);
  return { code: result.status, stderrLines: lines.filter((l) => !l.startsWith('carepath: ')), stdout: result.stdout };
}

describe('carepath start with bad configuration: one clear line, no stack trace', () => {
  it('names an unknown field in temporal.config.yaml with its line and column', () => {
    const { code, stderrLines } = start({}, 'namespace: default\nadress: 127.0.0.1:7233\n');
    expect(code).toBe(1);
    expect(stderrLines).toEqual(["carepath start: temporal.config.yaml:2:1: unknown field 'adress' (did you mean 'address'?)"]);
  });

  it('names an unreachable TEMPORAL_ADDRESS', async () => {
    const address = `127.0.0.1:${await freePort()}`;
    const { code, stderrLines } = start({ TEMPORAL_ADDRESS: address });
    expect(code).toBe(1);
    expect(stderrLines).toHaveLength(1);
    expect(stderrLines[0]).toMatch(new RegExp(`^carepath start: cannot reach Temporal at ${address} \\(namespace default\\): .+`));
  });

  it('names a PostgreSQL that refuses the connection, without its password', async () => {
    const port = await freePort();
    const { code, stderrLines } = start({ TEMPORAL_ADDRESS: inject('temporalAddress'), DATABASE_URL: `postgres://app:s3cret@127.0.0.1:${port}/carepath` });
    expect(code).toBe(1);
    expect(stderrLines).toHaveLength(1);
    expect(stderrLines[0]).toMatch(
      new RegExp(`^carepath start: cannot connect to PostgreSQL at postgres://app:\\*\\*\\*@127.0.0.1:${port}/carepath: .*ECONNREFUSED`),
    );
    expect(stderrLines[0]).not.toContain('s3cret');
  });

  it('names a DATABASE_URL that is not a PostgreSQL URL', () => {
    const { code, stderrLines } = start({ DATABASE_URL: 'mysql://x@y/z' });
    expect(code).toBe(1);
    expect(stderrLines).toEqual(["carepath start: DATABASE_URL: expected postgres://user:password@host:port/database, got 'mysql://x@y/z'"]);
  });
});
