import { execFileSync } from 'node:child_process';
import { userInfo } from 'node:os';
import pg from 'pg';
import { CarepathError } from '../errors/carepath-error.ts';
import { describePgError } from '../db/connect.ts';
import { redactUrl } from '../config/load-config.ts';
import { findOnPath } from './executables.ts';
import type { Progress } from './progress.ts';

type Env = Record<string, string | undefined>;

/**
 * A superuser URL for the machine's PostgreSQL, for tests that create throwaway databases.
 * CAREPATH_TEST_DATABASE_URL wins. Otherwise the local cluster is used through its Unix socket
 * as the current OS user: a stopped Debian cluster is started (pg_ctlcluster), and when running
 * as root a missing superuser role for root is created once.
 */
export async function ensureLocalPostgres(progress: Progress, env: Env = process.env): Promise<string> {
  if (env.CAREPATH_TEST_DATABASE_URL) {
    const url = env.CAREPATH_TEST_DATABASE_URL;
    const error = await tryConnect(url);
    if (error) throw new CarepathError('test-database-unreachable', `CAREPATH_TEST_DATABASE_URL (${redactUrl(url)}): ${describePgError(error)}`);
    return url;
  }
  const cluster = debianCluster();
  const socketDir = env.PGHOST || '/var/run/postgresql';
  const port = env.PGPORT || String(cluster?.port ?? 5432);
  const user = userInfo().username;
  const url = `postgresql://${encodeURIComponent(user)}@/postgres?host=${socketDir}&port=${port}`;

  let error = await tryConnect(url);
  if (error && isNotRunning(error) && cluster && cluster.status !== 'online') {
    progress(`starting the local PostgreSQL ${cluster.version}/${cluster.name} cluster (pg_ctlcluster)…`);
    run('pg_ctlcluster', [cluster.version, cluster.name, 'start']);
    error = await tryConnect(url);
  }
  if (error && (error as { code?: string }).code === '28000' && user === 'root' && findOnPath('runuser')) {
    progress('creating the PostgreSQL superuser role root for the test databases…');
    run('runuser', ['-u', 'postgres', '--', 'createuser', '--superuser', 'root']);
    error = await tryConnect(url);
  }
  if (error) {
    throw new CarepathError(
      'test-database-unreachable',
      `the tests need PostgreSQL (tried ${url}): ${describePgError(error)}. Start PostgreSQL and give your user a ` +
        `superuser role (sudo -u postgres createuser --superuser ${user}), or set CAREPATH_TEST_DATABASE_URL`,
    );
  }
  return url;
}

/** Runs one statement (create or drop a database) on its own connection to the server. */
export async function runAdminStatement(serverUrl: string, statement: string): Promise<void> {
  const client = new pg.Client({ connectionString: serverUrl });
  await client.connect();
  try {
    await client.query(statement);
  } finally {
    await client.end();
  }
}

/** The URL of another database on the same server (the last path segment replaced). */
export function databaseUrl(serverUrl: string, database: string): string {
  const [base, query] = serverUrl.split('?', 2) as [string, string | undefined];
  const replaced = base.replace(/\/[^/@]*$/, `/${database}`);
  return query ? `${replaced}?${query}` : replaced;
}

async function tryConnect(url: string): Promise<unknown | null> {
  const client = new pg.Client({ connectionString: url, connectionTimeoutMillis: 5_000 });
  try {
    await client.connect();
    await client.query('select 1');
    return null;
  } catch (err) {
    return err;
  } finally {
    await client.end().catch(() => {});
  }
}

function isNotRunning(err: unknown): boolean {
  const code = (err as { code?: string }).code;
  return code === 'ENOENT' || code === 'ECONNREFUSED';
}

function debianCluster(): { version: string; name: string; port: number; status: string } | null {
  if (!findOnPath('pg_lsclusters')) return null;
  try {
    const out = execFileSync('pg_lsclusters', ['--no-header'], { encoding: 'utf8' });
    const [version, name, port, status] = (out.split('\n')[0] ?? '').trim().split(/\s+/);
    if (!version || !name || !port || !status) return null;
    return { version, name, port: Number(port), status };
  } catch {
    return null;
  }
}

function run(command: string, args: string[]): void {
  try {
    execFileSync(command, args, { stdio: ['ignore', 'pipe', 'pipe'] });
  } catch (err) {
    const stderr = (err as { stderr?: Buffer }).stderr?.toString().trim();
    throw new CarepathError('test-database-unreachable', `${command} ${args.join(' ')} failed: ${stderr || (err as Error).message}`);
  }
}
