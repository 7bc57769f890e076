import { randomBytes } from 'node:crypto';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { inject } from 'vitest';
import type { Database } from '../../db/database.ts';
import { databaseUrl, runAdminStatement } from '../../infra/local-postgres.ts';

export interface ThrowawayDatabase {
  url: string;
  db: Kysely<Database>;
  /** Closes the pool and drops the database. */
  drop(): Promise<void>;
}

/** Creates an empty database on the real PostgreSQL for one test file. */
export async function createThrowawayDatabase(): Promise<ThrowawayDatabase> {
  const serverUrl = inject('postgresUrl');
  const name = `carepath_test_${randomBytes(6).toString('hex')}`;
  await runAdminStatement(serverUrl, `create database ${name}`);
  const url = databaseUrl(serverUrl, name);
  const pool = new pg.Pool({ connectionString: url, max: 4 });
  // An idle connection ended by the server (the drop below terminates them) must not crash the run.
  pool.on('error', () => {});
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  return {
    url,
    db,
    async drop() {
      await db.destroy();
      await runAdminStatement(serverUrl, `drop database if exists ${name} with (force)`);
    },
  };
}
