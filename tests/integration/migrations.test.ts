import { sql } from 'kysely';
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
});
