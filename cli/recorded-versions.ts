/**
 * What `carepath validate` compares a pathway file with, to catch a change made under a version
 * that has already run: the file's last committed copy (git HEAD), and the
 * versions recorded in the database named by DATABASE_URL.
 */
import { execFileSync } from 'node:child_process';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Database } from '../db/database.ts';
import { compileFile } from '../pathway/compiler/compile.ts';

export interface RecordedVersion {
  hash: string;
  /** Since when, for the message: `the last commit (1a2b3c4)` or `it was first run (DATABASE_URL)`. */
  where: string;
}

function git(cwd: string, args: string[]): string | null {
  try {
    return execFileSync('git', args, { cwd, encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'], maxBuffer: 16 * 1024 * 1024 });
  } catch {
    return null;
  }
}

/**
 * The compiled hash of the last committed copy of `file` (git HEAD) when its text differs from
 * the file as it is now and it has the same id and version; null otherwise (or without git).
 */
export function committedVersion(file: string, id: string, version: string): RecordedVersion | null {
  const dir = path.dirname(path.resolve(file));
  const text = git(dir, ['show', `HEAD:./${path.basename(file)}`]);
  if (text === null || text === readFileSync(file, 'utf8')) return null;
  const committed = compileFile(file, { text }).compiled;
  if (!committed || committed.id !== id || committed.version !== version) return null;
  const head = git(dir, ['rev-parse', '--short', 'HEAD'])?.trim() ?? 'HEAD';
  return { hash: committed.hash, where: `the last commit (${head})` };
}

/** Hashes recorded in the database for each `id@version`, or null when DATABASE_URL is unset or unreachable. */
export async function databaseVersions(url: string | undefined, keys: { id: string; version: string }[]): Promise<Map<string, RecordedVersion> | null> {
  if (!url || keys.length === 0) return null;
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: url, connectionTimeoutMillis: 3000, max: 1 }) }) });
  try {
    const rows = await db
      .selectFrom('pathway_versions')
      .select(['pathway_id', 'version', 'hash'])
      .where(
        'pathway_id',
        'in',
        keys.map((k) => k.id),
      )
      .execute();
    return new Map(rows.map((r) => [`${r.pathway_id}@${r.version}`, { hash: r.hash, where: 'it was first run (DATABASE_URL)' }]));
  } catch {
    return null;
  } finally {
    await db.destroy();
  }
}
