import { mkdirSync } from 'node:fs';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { CarepathError } from '../errors/carepath-error.ts';
import { redactUrl } from '../config/load-config.ts';
import type { Database } from './database.ts';

export interface OpenDatabase {
  db: Kysely<Database>;
  kind: 'postgres' | 'pglite';
  /** Where it is, safe to print (no password). */
  where: string;
  close(): Promise<void>;
}

/**
 * Opens PostgreSQL at `url`, or the embedded PGlite database in `embeddedDir` when url is null.
 * Checks the connection before returning: a bad URL fails here with one clear line.
 */
export async function openDatabase(options: { url: string | null; embeddedDir: string }): Promise<OpenDatabase> {
  if (options.url) return openPostgres(options.url);
  return openPglite(options.embeddedDir);
}

async function openPostgres(url: string): Promise<OpenDatabase> {
  const pool = new pg.Pool({ connectionString: url, max: 10, connectionTimeoutMillis: 5_000 });
  // An idle client losing its connection must not crash the process; the next query reconnects.
  pool.on('error', () => {});
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  const where = redactUrl(url);
  try {
    await sql`select 1`.execute(db);
  } catch (err) {
    await db.destroy();
    throw new CarepathError('database-unreachable', `cannot connect to PostgreSQL at ${where}: ${describePgError(err)}`);
  }
  return { db, kind: 'postgres', where, close: () => db.destroy() };
}

async function openPglite(dir: string): Promise<OpenDatabase> {
  mkdirSync(dir, { recursive: true });
  // Loaded lazily: the WASM build is only needed when no DATABASE_URL is given.
  const { PGlite } = await import('@electric-sql/pglite');
  const { PGliteDialect } = await import('kysely-pglite-dialect');
  const pglite = new PGlite(dir);
  await pglite.waitReady;
  const db = new Kysely<Database>({ dialect: new PGliteDialect(pglite) });
  return { db, kind: 'pglite', where: `embedded PGlite in ${dir}`, close: () => db.destroy() };
}

/** One line for a pg connection error (refused, unknown host, bad password, missing database). */
export function describePgError(err: unknown): string {
  const e = err as { code?: string; message?: string; errors?: { message: string }[] };
  if (e.errors?.length) return e.errors.map((x) => x.message).join('; ');
  return e.message || e.code || String(err);
}
