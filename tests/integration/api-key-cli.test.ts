import { execFile } from 'node:child_process';
import { mkdtempSync } from 'node:fs';
import { tmpdir, userInfo } from 'node:os';
import path from 'node:path';
import { promisify } from 'node:util';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { hashApiKey } from '../../api/auth/api-keys.ts';
import { bootstrapAdminKey } from '../../api/auth/bootstrap.ts';
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
    // Each step is in the audit log under the operating-system account, never with the key.
    const audit = await database.db.selectFrom('audit_log').select(['actor', 'actor_role', 'action', 'resource_id']).orderBy('id').execute();
    expect(audit.map((r) => [r.actor_role, r.action, r.resource_id])).toEqual([
      ['cli', 'api-client.create', stored.id],
      ['cli', 'api-client.list', null],
      ['cli', 'api-client.revoke', stored.id],
    ]);
    expect(audit.every((r) => r.actor === `cli:${userInfo().username}`)).toBe(true);
  });

  it('bootstraps the given admin key once, audited, and never brings it back once revoked', async () => {
    const given = `cpk_${'b'.repeat(43)}`;
    const created = await bootstrapAdminKey(database.db, { CAREPATH_BOOTSTRAP_ADMIN_KEY: given });
    expect(created).toMatchObject({ kind: 'created', key: null });
    const clientId = (created as { clientId: string }).clientId;
    expect(await bootstrapAdminKey(database.db, { CAREPATH_BOOTSTRAP_ADMIN_KEY: given })).toBeNull();
    await carepath('revoke', clientId);
    expect(await bootstrapAdminKey(database.db, { CAREPATH_BOOTSTRAP_ADMIN_KEY: given })).toEqual({ kind: 'given-key-revoked', clientId });
    const row = await database.db.selectFrom('api_clients').select('revoked_at').where('id', '=', clientId).executeTakeFirstOrThrow();
    expect(row.revoked_at).toBeInstanceOf(Date);
    const audit = await database.db.selectFrom('audit_log').select(['actor', 'action']).where('resource_id', '=', clientId).orderBy('id').execute();
    expect(audit.map((r) => `${r.actor} ${r.action}`)).toEqual(['bootstrap api-client.create', `cli:${userInfo().username} api-client.revoke`]);
  });

  it('explains a bad role or a missing butler id', async () => {
    await expect(carepath('create', '--role', 'nurse', '--name', 'x')).rejects.toMatchObject({
      code: 1,
      stderr: expect.stringContaining("unknown role 'nurse'"),
    });
    await expect(carepath('create', '--role', 'butler', '--name', 'x')).rejects.toMatchObject({ code: 1, stderr: expect.stringContaining('--butler-id') });
  });
});
