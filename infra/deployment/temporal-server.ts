/**
 * A Temporal server on PostgreSQL, the shape hospitals deploy: `temporal-server` and
 * `temporal-sql-tool` built from the server module (no `replace` directives) into the cache,
 * the schemas applied with the SQL tool to two databases of the machine's PostgreSQL, and a
 * config file of the project's (`postgres12` plugin). Server 1.32.0 is the one inside the
 * Temporal CLI 1.9.1 the dev server runs, and the newest that builds with the machine's Go 1.26.8.
 */
import { execFileSync, spawn, type ChildProcess } from 'node:child_process';
import { existsSync, mkdirSync, openSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { CarepathError } from '../../errors/carepath-error.ts';
import { cacheDir } from '../cache.ts';
import { findOnPath, isExecutable } from '../executables.ts';
import type { Progress } from '../progress.ts';
import { runCommand } from '../run-command.ts';

export const TEMPORAL_SERVER_VERSION = 'v1.32.0';
const MODULE = 'go.temporal.io/server';

export interface TemporalServerBinaries {
  server: string;
  sqlTool: string;
  /** The module's `schema/postgresql/v12` folder (from the Go module cache). */
  schemaDir: string;
}

/** Finds or builds the pinned server and SQL tool (a few minutes on the first run). */
export async function ensureTemporalServer(progress: Progress): Promise<TemporalServerBinaries> {
  const bin = path.join(cacheDir(), 'temporal-server', TEMPORAL_SERVER_VERSION);
  const server = path.join(bin, 'server');
  const sqlTool = path.join(bin, 'sql');
  const go = findOnPath('go');
  if (!go) throw new CarepathError('temporal-cli-missing', 'building the Temporal server needs Go ≥ 1.26 on PATH');
  if (!isExecutable(server) || !isExecutable(sqlTool)) {
    mkdirSync(bin, { recursive: true });
    progress(`building temporal-server and temporal-sql-tool ${TEMPORAL_SERVER_VERSION} with go install (first run only; several minutes)…`);
    const started = Date.now();
    const result = await runCommand(
      go,
      ['install', '-trimpath', '-ldflags=-s -w', `${MODULE}/cmd/server@${TEMPORAL_SERVER_VERSION}`, `${MODULE}/cmd/tools/sql@${TEMPORAL_SERVER_VERSION}`],
      { env: { ...process.env, CGO_ENABLED: '0', GOBIN: bin, GOFLAGS: '-mod=mod' }, progress },
    );
    if (result.code !== 0)
      throw new CarepathError('temporal-cli-build-failed', `go install ${MODULE}@${TEMPORAL_SERVER_VERSION} failed: ${result.tail.slice(-3).join(' | ')}`);
    progress(`temporal-server built in ${Math.round((Date.now() - started) / 1000)} s`);
  }
  const modCache = execFileSync(go, ['env', 'GOMODCACHE'], { encoding: 'utf8' }).trim();
  const schemaDir = path.join(modCache, `${MODULE}@${TEMPORAL_SERVER_VERSION}`, 'schema', 'postgresql', 'v12');
  if (!existsSync(schemaDir))
    throw new CarepathError('temporal-cli-missing', `no schema folder ${schemaDir}: run go mod download ${MODULE}@${TEMPORAL_SERVER_VERSION}`);
  return { server, sqlTool, schemaDir };
}

export interface TemporalServerSettings {
  pg: { host: string; port: number; user: string; password: string };
  /** gRPC frontend port; the other services take the next ports. */
  frontendPort: number;
  /** Folder for the config files and the log. */
  stateDir: string;
  /** The two databases: `temporal_<name>` and `temporal_visibility_<name>`. */
  databases: { main: string; visibility: string };
}

/** Creates (if missing) and migrates the Temporal and visibility schemas with the SQL tool. */
export async function applyTemporalSchemas(binaries: TemporalServerBinaries, settings: TemporalServerSettings, progress: Progress): Promise<void> {
  const { pg } = settings;
  for (const [database, folder] of [
    [settings.databases.main, 'temporal'],
    [settings.databases.visibility, 'visibility'],
  ] as const) {
    const base = ['--plugin', 'postgres12', '--ep', pg.host, '-p', String(pg.port), '-u', pg.user, '--pw', pg.password, '--db', database];
    const tool = (args: string[]) => runCommand(binaries.sqlTool, [...base, ...args], { env: process.env, progress: () => {} });
    await tool(['create-database']); // fails harmlessly when it exists
    const setup = await tool(['setup-schema', '-v', '0.0']);
    if (setup.code !== 0 && !setup.tail.join(' ').includes('already exists')) {
      throw new CarepathError('migration-failed', `temporal-sql-tool setup-schema ${database}: ${setup.tail.slice(-2).join(' | ')}`);
    }
    const update = await tool(['update-schema', '-d', path.join(binaries.schemaDir, folder, 'versioned')]);
    if (update.code !== 0) throw new CarepathError('migration-failed', `temporal-sql-tool update-schema ${database}: ${update.tail.slice(-2).join(' | ')}`);
    progress(`Temporal schema ${database} is current`);
  }
}

/** Writes the server's config and dynamic config into `stateDir`; returns the config file. */
export function writeTemporalServerConfig(settings: TemporalServerSettings): string {
  const { pg, frontendPort: p, stateDir, databases } = settings;
  mkdirSync(stateDir, { recursive: true });
  const dynamic = path.join(stateDir, 'dynamicconfig.yaml');
  writeFileSync(
    dynamic,
    [
      '# Written by carepath (infra/deployment/temporal-server.ts).',
      'system.forceSearchAttributesCacheRefreshOnRead:',
      '  - value: true',
      'frontend.enableUpdateWorkflowExecution:',
      '  - value: true',
      'frontend.enableUpdateWorkflowExecutionAsyncAccepted:',
      '  - value: true',
      '',
    ].join('\n'),
  );
  const store = (database: string, maxConns: number) => [
    '      sql:',
    '        pluginName: "postgres12"',
    `        databaseName: "${database}"`,
    `        connectAddr: "${pg.host}:${pg.port}"`,
    '        connectProtocol: "tcp"',
    `        user: "${pg.user}"`,
    `        password: "${pg.password}"`,
    `        maxConns: ${maxConns}`,
    `        maxIdleConns: ${maxConns}`,
    '        maxConnLifetime: "1h"',
  ];
  const service = (name: string, grpc: number, membership: number, http?: number) => [
    `  ${name}:`,
    '    rpc:',
    `      grpcPort: ${grpc}`,
    `      membershipPort: ${membership}`,
    '      bindOnLocalHost: true',
    ...(http ? [`      httpPort: ${http}`] : []),
  ];
  const file = path.join(stateDir, 'temporal-server.yaml');
  writeFileSync(
    file,
    [
      '# Temporal server on PostgreSQL, written by carepath (infra/deployment/temporal-server.ts).',
      'log:',
      '  stdout: true',
      '  level: warn',
      'persistence:',
      '  defaultStore: postgres-default',
      '  visibilityStore: postgres-visibility',
      '  numHistoryShards: 4',
      '  datastores:',
      '    postgres-default:',
      ...store(databases.main, 20),
      '    postgres-visibility:',
      ...store(databases.visibility, 4),
      'global:',
      '  membership:',
      '    maxJoinDuration: 30s',
      '    broadcastAddress: "127.0.0.1"',
      'services:',
      ...service('frontend', p, p + 100, p + 10),
      ...service('history', p + 1, p + 101),
      ...service('matching', p + 2, p + 102),
      ...service('worker', p + 6, p + 106),
      'clusterMetadata:',
      '  enableGlobalNamespace: false',
      '  failoverVersionIncrement: 10',
      '  masterClusterName: "active"',
      '  currentClusterName: "active"',
      '  clusterInformation:',
      '    active:',
      '      enabled: true',
      '      initialFailoverVersion: 1',
      '      rpcName: "frontend"',
      `      rpcAddress: "127.0.0.1:${p}"`,
      'dcRedirectionPolicy:',
      '  policy: "noop"',
      'dynamicConfigClient:',
      `  filepath: "${dynamic}"`,
      '  pollInterval: "10s"',
      '',
    ].join('\n'),
  );
  return file;
}

/** Starts the server with its log in `stateDir/temporal-server.log`. */
export function spawnTemporalServer(binaries: TemporalServerBinaries, configFile: string, stateDir: string): ChildProcess {
  const log = openSync(path.join(stateDir, 'temporal-server.log'), 'a');
  return spawn(binaries.server, ['--config-file', configFile, '--allow-no-auth', 'start'], { stdio: ['ignore', log, log] });
}
