import { Migrator, sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateToLatest } from '../../db/migrate.ts';
import { migrations } from '../../db/migrations/index.ts';
import { createThrowawayDatabase, type ThrowawayDatabase } from '../support/database.ts';

describe('kysely migrations on real PostgreSQL', () => {
  let database: ThrowawayDatabase;
  beforeAll(async () => {
    database = await createThrowawayDatabase();
  });
  afterAll(async () => {
    await database?.drop();
  });

  it('applies every migration to an empty database, then nothing on a second run', async () => {
    expect(await migrateToLatest(database.db)).toEqual(Object.keys(migrations));
    expect(await migrateToLatest(database.db)).toEqual([]);
  });

  it('creates the audit_log table with its columns', async () => {
    const { rows } = await sql<{ column_name: string }>`
      select column_name from information_schema.columns where table_name = 'audit_log' order by ordinal_position`.execute(database.db);
    expect(rows.map((r) => r.column_name)).toEqual(['id', 'at', 'actor', 'actor_role', 'action', 'resource_type', 'resource_id', 'source_ip', 'details']);
    const inserted = await database.db
      .insertInto('audit_log')
      .values({
        actor: 'u1',
        actor_role: 'ops',
        action: 'read',
        resource_type: 'enrollment',
        resource_id: 'e1',
        source_ip: '127.0.0.1',
        details: JSON.stringify({ a: 1 }),
      })
      .returning(['id', 'at', 'details'])
      .executeTakeFirstOrThrow();
    expect(inserted.details).toEqual({ a: 1 });
    expect(inserted.at).toBeInstanceOf(Date);
  });

  it("clears outbox errors stored before failures were classified (they may quote a patient's name)", async () => {
    const other = await createThrowawayDatabase();
    try {
      const migrator = new Migrator({ db: other.db, provider: { getMigrations: async () => migrations } });
      expect((await migrator.migrateTo('2026-12-02-0008-codec-sessions')).error).toBeUndefined();
      await sql`insert into enrollments (id, patient_ref, tenant, program, pathway_id, pathway_version, pathway_hash, workflow_id, butler_id, created_at)
        values ('e1', 'pt_1', 't', 'p', 'p', '1', 'h', 'w', null, now())`.execute(other.db);
      await sql`insert into outbox_messages (idempotency_key, enrollment_id, step_id, channel, audience, template_id, status, last_error)
        values ('k1', 'e1', 's', 'sms', 'patient', 't', 'pending', 'sms gateway answered 400: 王小红您好'),
               ('k2', 'e1', 's', 'sms', 'patient', 't', 'sent', null)`.execute(other.db);
      expect((await migrateToLatest(other.db))[0]).toBe('2026-12-03-0009-outbox-errors-cleared');
      const { rows } = await sql<{
        idempotency_key: string;
        last_error: string | null;
      }>`select idempotency_key, last_error from outbox_messages order by 1`.execute(other.db);
      expect(rows).toEqual([
        { idempotency_key: 'k1', last_error: 'cleared: an error stored before failures were classified' },
        { idempotency_key: 'k2', last_error: null },
      ]);
    } finally {
      await other.drop();
    }
  });
});
