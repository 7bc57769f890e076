/**
 * A production-shaped deployment on one machine (issue 12): a Temporal server on PostgreSQL, the
 * application database on the same PostgreSQL cluster, several `carepath worker` and
 * `carepath api` processes (the APIs behind one round-robin port) and a fake gateway process for
 * every channel. Each process can be killed and restarted: the soak drives its faults through
 * this module. Binaries are cached outside git; logs go to `<stateDir>/logs`.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes } from 'node:crypto';
import { existsSync, mkdirSync, openSync, readFileSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Connection } from '@temporalio/client';
import { msToTs } from '@temporalio/common/lib/time.js';
import { loadConfig } from '../../config/load-config.ts';
import { ensureSearchAttributes } from '../../temporal/search-attributes.ts';
import { cacheDir } from '../cache.ts';
import { ensureLocalPostgres, runAdminStatement } from '../local-postgres.ts';
import { freePort, isPortFree } from '../ports.ts';
import type { Progress } from '../progress.ts';
import { startRoundRobinProxy } from './round-robin-proxy.ts';
import { applyTemporalSchemas, ensureTemporalServer, spawnTemporalServer, writeTemporalServerConfig } from './temporal-server.ts';

const ROOT = fileURLToPath(new URL('../../', import.meta.url));
const PG_USER = 'carepath_deploy';

export interface DeploymentOptions {
  workers: number;
  apis: number;
  /** Where config, keys and logs live (not in git). */
  stateDir: string;
  /** The port of the API's round-robin front; 0 picks a free one. */
  apiPort: number;
  /** The pathway folder the API processes offer (default: pathways/). */
  pathwaysDir?: string;
  /** More environment for the worker and API processes (CAREPATH_RATE_LIMIT_PER_MINUTE, say). */
  env?: Record<string, string>;
}

/** One process of the deployment, restartable after a kill. */
export class ManagedProcess {
  child: ChildProcess | null = null;
  kills = 0;
  restarts = 0;
  constructor(
    readonly name: string,
    private readonly launch: () => ChildProcess,
  ) {}

  start(): void {
    this.child = this.launch();
  }

  /** SIGKILL (no shutdown: what a crashed host or an OOM kill does). */
  async kill(signal: NodeJS.Signals = 'SIGKILL'): Promise<void> {
    const child = this.child;
    if (!child || child.exitCode !== null || child.signalCode !== null) return;
    const exited = new Promise((resolve) => child.once('exit', resolve));
    child.kill(signal);
    await exited;
    if (signal === 'SIGKILL') this.kills++;
  }

  async restart(): Promise<void> {
    await this.kill();
    this.start();
    this.restarts++;
  }
}

export interface RunningDeployment {
  temporalAddress: string;
  databaseUrl: string;
  apiUrl: string;
  gatewayUrl: string;
  temporal: ManagedProcess;
  gateway: ManagedProcess;
  workers: ManagedProcess[];
  apis: ManagedProcess[];
  adminKey: string;
  /** The PostgreSQL cluster's admin URL (for a restart by the soak). */
  postgresServerUrl: string;
  stop(): Promise<void>;
}

/** Starts everything in dependency order; idempotent on the databases and binaries. */
export async function startLocalDeployment(options: DeploymentOptions, progress: Progress): Promise<RunningDeployment> {
  const logs = path.join(options.stateDir, 'logs');
  mkdirSync(logs, { recursive: true });
  const binaries = await ensureTemporalServer(progress);

  // PostgreSQL: the machine's cluster; a password role for the Temporal server (it connects over TCP).
  const serverUrl = await ensureLocalPostgres(progress);
  const password = secret(path.join(cacheDir(), 'deployment'), 'pg-password', () => randomBytes(18).toString('base64url'));
  await runAdminStatement(
    serverUrl,
    `do $$ begin if not exists (select from pg_roles where rolname = '${PG_USER}') then create role ${PG_USER} login createdb password '${password}'; else alter role ${PG_USER} password '${password}'; end if; end $$`,
  );
  // Databases of their own per state directory: two deployments (deploy:local, the soak) never share one.
  const name = path
    .basename(options.stateDir)
    .replace(/[^a-z0-9]/gi, '_')
    .toLowerCase();
  const appDatabase = `carepath_${name}`;
  await runAdminStatement(serverUrl, `create database ${appDatabase} owner ${PG_USER}`).catch(() => undefined);
  const pgPort = Number(/[?&]port=(\d+)/.exec(serverUrl)?.[1] ?? 5432);
  const frontendPort = await freeServerPorts();
  const settings = {
    pg: { host: '127.0.0.1', port: pgPort, user: PG_USER, password },
    frontendPort,
    stateDir: options.stateDir,
    databases: { main: `temporal_${name}`, visibility: `temporal_visibility_${name}` },
  };
  await applyTemporalSchemas(binaries, settings, progress);
  const configFile = writeTemporalServerConfig(settings);
  const temporalAddress = `127.0.0.1:${frontendPort}`;

  const temporal = new ManagedProcess('temporal-server', () => spawnTemporalServer(binaries, configFile, options.stateDir));
  progress(`starting temporal-server ${temporalAddress} on PostgreSQL…`);
  temporal.start();
  try {
    await registerNamespace(temporalAddress, progress);
  } catch (err) {
    await temporal.kill();
    throw new Error(`temporal-server did not come up (see ${path.join(options.stateDir, 'temporal-server.log')}): ${(err as Error).message}`, { cause: err });
  }

  const appDatabaseUrl = `postgresql://${PG_USER}:${encodeURIComponent(password)}@127.0.0.1:${pgPort}/${appDatabase}`;
  const gatewayPort = await freePort();
  const gatewayUrl = `http://127.0.0.1:${gatewayPort}`;
  const gateway = new ManagedProcess('gateway', () =>
    node(['--import', 'tsx', 'infra/deployment/fake-gateway.ts', String(gatewayPort)], {}, path.join(logs, 'gateway.log')),
  );
  gateway.start();
  await waitForUrl(`${gatewayUrl}/control/stats`, 30_000);

  const env = {
    TEMPORAL_ADDRESS: temporalAddress,
    DATABASE_URL: appDatabaseUrl,
    CAREPATH_DATA_DIR: path.join(options.stateDir, 'data'),
    CAREPATH_CODEC_KEYS: `k1:${secret(options.stateDir, 'codec-key', () => randomBytes(32).toString('base64'))}`,
    CAREPATH_IDENTITY_KEYS: `i1:${secret(options.stateDir, 'identity-key', () => randomBytes(32).toString('base64'))}`,
    CAREPATH_IDENTITY_LOOKUP_KEY: `l1:${secret(options.stateDir, 'lookup-key', () => randomBytes(32).toString('base64'))}`,
    CAREPATH_BOOTSTRAP_ADMIN_KEY: `cpk_${secret(options.stateDir, 'admin-key', () => randomBytes(32).toString('base64url'))}`,
    CAREPATH_CHANNEL_WECHAT_URL: `${gatewayUrl}/wechat`,
    CAREPATH_CHANNEL_SMS_URL: `${gatewayUrl}/sms`,
    CAREPATH_CHANNEL_APP_URL: `${gatewayUrl}/app`,
    LOG_LEVEL: 'warn',
    ...(options.pathwaysDir ? { CAREPATH_PATHWAYS_DIR: options.pathwaysDir } : {}),
    ...options.env,
  };
  // The first API process migrates the database and registers search attributes before the others start.
  const apiPorts = await Promise.all(Array.from({ length: options.apis }, () => freePort()));
  const apis = apiPorts.map(
    (port, i) =>
      new ManagedProcess(`api-${i + 1}`, () => node(['bin/carepath.js', 'api'], { ...env, PORT: String(port) }, path.join(logs, `api-${i + 1}.log`))),
  );
  apis[0]!.start();
  await waitForHealth(`http://127.0.0.1:${apiPorts[0]}`, 120_000);
  for (const api of apis.slice(1)) api.start();
  const workers = Array.from(
    { length: options.workers },
    (_, i) => new ManagedProcess(`worker-${i + 1}`, () => node(['bin/carepath.js', 'worker'], env, path.join(logs, `worker-${i + 1}.log`))),
  );
  for (const worker of workers) worker.start();
  await Promise.all(apiPorts.slice(1).map((port) => waitForHealth(`http://127.0.0.1:${port}`, 120_000)));
  const proxy = await startRoundRobinProxy(
    options.apiPort,
    apiPorts.map((p) => `127.0.0.1:${p}`),
  );
  const apiUrl = `http://127.0.0.1:${proxy.port}`;
  progress(`deployment up: API ${apiUrl} (${options.apis} processes), ${options.workers} workers, Temporal ${temporalAddress}, gateway ${gatewayUrl}`);

  return {
    temporalAddress,
    databaseUrl: appDatabaseUrl,
    apiUrl,
    gatewayUrl,
    temporal,
    gateway,
    workers,
    apis,
    adminKey: env.CAREPATH_BOOTSTRAP_ADMIN_KEY,
    postgresServerUrl: serverUrl,
    async stop() {
      await proxy.stop();
      for (const p of [...apis, ...workers]) await p.kill('SIGTERM');
      await gateway.kill('SIGTERM');
      await temporal.kill('SIGTERM');
    },
  };
}

/**
 * A frontend port whose service and membership ports (+1…+6, +100…+106) are free too, below
 * 32768: the server stores membership ports in a PostgreSQL smallint.
 */
async function freeServerPorts(): Promise<number> {
  for (let base = 17233; base < 30000; base += 1000) {
    const ports = [0, 1, 2, 6, 10, 100, 101, 102, 106].map((d) => base + d);
    if ((await Promise.all(ports.map((p) => isPortFree(p)))).every(Boolean)) return base;
  }
  throw new Error('no free port range for the Temporal server between 17233 and 30000');
}

function node(args: string[], env: Record<string, string>, logFile: string): ChildProcess {
  const log = openSync(logFile, 'a');
  return spawn(process.execPath, args, { cwd: ROOT, env: { PATH: process.env.PATH, HOME: process.env.HOME, ...env }, stdio: ['ignore', log, log] });
}

/** A secret of the deployment, made once and kept in the state directory (mode 0600). */
function secret(stateDir: string, name: string, make: () => string): string {
  const file = path.join(stateDir, 'secrets', name);
  if (existsSync(file)) return readFileSync(file, 'utf8').trim();
  mkdirSync(path.dirname(file), { recursive: true, mode: 0o700 });
  const value = make();
  writeFileSync(file, `${value}\n`, { mode: 0o600 });
  return value;
}

async function registerNamespace(address: string, progress: Progress): Promise<void> {
  const deadline = Date.now() + 120_000;
  for (;;) {
    try {
      const connection = await Connection.connect({ address, connectTimeout: 2_000 });
      try {
        await connection.workflowService.registerNamespace({ namespace: 'default', workflowExecutionRetentionPeriod: msToTs('3 days') }).catch((err: Error) => {
          if (!/already exists|AlreadyExists/i.test(err.message)) throw err;
        });
        // The namespace cache needs a moment before the namespace can be used.
        for (;;) {
          try {
            await connection.workflowService.describeNamespace({ namespace: 'default' });
            break;
          } catch {
            await new Promise((r) => setTimeout(r, 500));
          }
        }
        await ensureSearchAttributes(connection, 'default', loadConfig({ env: {} }).temporal.searchAttributes);
        progress('namespace default and the Carepath search attributes are registered');
        return;
      } finally {
        await connection.close();
      }
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 1_000));
    }
  }
}

function waitForHealth(url: string, timeoutMs: number): Promise<void> {
  return waitForUrl(`${url}/health`, timeoutMs);
}

async function waitForUrl(url: string, timeoutMs: number): Promise<void> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      const res = await fetch(url, { signal: AbortSignal.timeout(2_000) });
      if (res.ok) return;
    } catch {
      // not up yet
    }
    if (Date.now() > deadline) throw new Error(`${url} did not answer ok within ${timeoutMs / 1000} s`);
    await new Promise((r) => setTimeout(r, 500));
  }
}
