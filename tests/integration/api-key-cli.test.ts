import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashApiKey } from '../../api/auth/api-keys.ts';
import { createThrowawayDatabase, type ThrowawayDatabase } from '../support/database.ts';

const run = promisify(execFile);

describe('carepath api-key', () => {
  let database: ThrowawayDatabase;
  let env: NodeJS.ProcessEnv;
  const carepath = (...args: string[]) => run(process.execPath, ['bin/carepath.js', 'api-key', ...args], { env });

  beforeAll(async () => {
    database = await createThrowawayDatabase();
    env = { ...process.env, DATABASE_URL: database.url, CAREPATH_DATA_DIR: mkdtempSync(path.join(tmpdir(), 'carepath-cli-')) };
  });
  afterAll(async () => {
    await database?.drop();
  });

  it('creates a butler key, printing it once on stdout and storing only its hash', async () => {
    const { stdout, stderr } = await carepath('create', '--role', 'butler', '--name', '王管家', '--butler-id', 'b1');
    const key = stdout.trim();
    expect(key).toMatch(/^cpk_[A-Za-z0-9_-]{43}$/);
    expect(stderr).toMatch(/created API client cl_[0-9a-f]{16} \(王管家, role butler, butler b1\)/);
    const stored = await database.db.selectFrom('api_clients').selectAll().executeTakeFirstOrThrow();
    expect(stored).toMatchObject({ name: '王管家', role: 'butler', butler_id: 'b1', key_hash: hashApiKey(key), created_by: 'cli', revoked_at: null });
    expect(JSON.stringify(stored)).not.toContain(key);

    const listed = await carepath('list');
    expect(listed.stdout).toContain(`${stored.id}\tbutler\tb1\t${key.slice(0, 10)}…\tactive\t王管家`);
    await carepath('revoke', stored.id);
    expect((await database.db.selectFrom('api_clients').select('revoked_at').executeTakeFirstOrThrow()).revoked_at).toBeInstanceOf(Date);
  });

  it('explains a bad role or a missing butler id', async () => {
    await expect(carepath('create', '--role', 'nurse', '--name', 'x')).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringContaining("unknown role 'nurse'"),
    });
    await expect(carepath('create', '--role', 'butler', '--name', 'x')).rejects.toMatchObject({ code: 1, stderr: expect.stringContaining('--butler-id') });
  });
});
