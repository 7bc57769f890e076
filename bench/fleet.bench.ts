/**
 * Cold-fleet recovery: `node --import tsx bench/fleet.bench.ts [journeys=1000] [updates=10] [concurrency=20]`.
 *
 * On a Temporal dev server and the machine's PostgreSQL, with the journey worker as its own
 * process (`carepath worker`): N journeys (bench/fixtures/pathways/fleet.yaml) each get some updates (the
 * history a cold worker must replay), then are told to wake within the same minute. The worker
 * is killed while they sleep and a new one, with an empty cache, is started before they wake.
 * Prints how late each journey acted after its wake-up (p50, p99, max), the workflow-task
 * timeouts and failures counted in every history (they must be 0), and the worker's peak RSS.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import protos from '@temporalio/proto';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import type { Database } from '../db/database.ts';
import { migrateToLatest } from '../db/migrate.ts';
import { startJourney } from '../enrollment/start-journey.ts';
import { startDevServer } from '../infra/dev-server.ts';
import { databaseUrl, ensureLocalPostgres, runAdminStatement } from '../infra/local-postgres.ts';
import { freePort } from '../infra/ports.ts';
import { stderrProgress } from '../infra/progress.ts';
import { ensureTemporalCli } from '../infra/temporal-cli.ts';
import { compileFile } from '../pathway/compiler/compile.ts';
import { pathwayContents } from '../platform/pathway-contents.ts';
import { encryptingDataConverter, parseKeyRing } from '../temporal/codec/index.ts';
import { ensureWorkflowBundle } from '../worker/workflow-bundle.ts';
import { loadConfig } from '../config/load-config.ts';
import { ensureSearchAttributes } from '../temporal/search-attributes.ts';
import { setAnchorUpdate, setVariableUpdate } from '../workflows/journey-definitions.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const JOURNEYS = Number(process.argv[2] ?? 1000);
const UPDATES = Number(process.argv[3] ?? 10);
const CONCURRENCY = Number(process.argv[4] ?? 20);
const pathwaysDir = path.join(root, 'bench', 'fixtures', 'pathways');
// @temporalio/proto is CommonJS: take the namespace from its default export.
const EventType = protos.temporal.api.enums.v1.EventType;

async function pool<T>(items: T[], fn: (item: T) => Promise<void>): Promise<number> {
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < items.length) await fn(items[next++]!);
    }),
  );
  return (performance.now() - started) / 1000;
}

/** Peak resident set size of a process, from /proc (Linux). */
function peakRss(pid: number): number {
  const line = readFileSync(`/proc/${pid}/status`, 'utf8')
    .split('\n')
    .find((l) => l.startsWith('VmHWM:'))!;
  return Number(line.replace(/\D+/g, '')) * 1024;
}

const pct = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(q * xs.length))]!;

async function main(): Promise<void> {
  const [cli, serverUrl] = await Promise.all([ensureTemporalCli(stderrProgress), ensureLocalPostgres(stderrProgress)]);
  await ensureWorkflowBundle(stderrProgress);
  const devServer = await startDevServer({
    cliPath: cli.path,
    ip: '127.0.0.1',
    port: await freePort(),
    uiPort: null,
    namespace: 'default',
    dbFile: null,
    logLevel: 'error',
    logFile: null,
  });
  const name = `carepath_fleet_${randomUUID().slice(0, 8)}`;
  await runAdminStatement(serverUrl, `create database ${name}`);
  const url = databaseUrl(serverUrl, name);
  const poolPg = new pg.Pool({ connectionString: url, max: 10 });
  poolPg.on('error', () => {});
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: poolPg }) });
  const keys = `k1:${randomBytes(32).toString('base64')}`;
  const taskQueue = `fleet-${randomUUID()}`;
  let worker: ChildProcess | null = null;
  const startWorker = () => {
    const child = spawn(process.execPath, [path.join(root, 'bin', 'carepath.js'), 'worker'], {
      cwd: root,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        TEMPORAL_ADDRESS: devServer.address,
        TEMPORAL_TASK_QUEUE: taskQueue,
        DATABASE_URL: url,
        CAREPATH_PATHWAYS_DIR: pathwaysDir,
        CAREPATH_DATA_DIR: mkdtempSync(path.join(tmpdir(), 'carepath-fleet-')),
        CAREPATH_CODEC_KEYS: keys,
        CAREPATH_WORKER_MAX_CACHED_WORKFLOWS: String(JOURNEYS + 100),
        LOG_LEVEL: 'error',
        ...Object.fromEntries(Object.entries(process.env).filter(([k]) => k.startsWith('CAREPATH_WORKER_'))),
      },
      stdio: ['ignore', 'ignore', 'inherit'],
    });
    return child;
  };
  try {
    await migrateToLatest(db);
    const pathway = compileFile(path.join(pathwaysDir, 'fleet.yaml')).compiled!;
    const connection = await Connection.connect({ address: devServer.address });
    await ensureSearchAttributes(connection, 'default', loadConfig({ env: {} }).temporal.searchAttributes);
    const client = new Client({ connection, dataConverter: encryptingDataConverter(parseKeyRing(keys, { source: 'bench' }), pathwayContents(db, [pathway])) });
    worker = startWorker();

    const today = new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);
    const ids: string[] = Array.from({ length: JOURNEYS }, () => randomUUID());
    const workflowIds = new Map<string, string>();
    const enrolSeconds = await pool(ids, async (id) => {
      const { workflowId } = await startJourney(db, client, taskQueue, {
        enrollmentId: id,
        patientRef: `P-${id.slice(0, 12)}`,
        tenant: 'bench',
        butlerId: 'b1',
        pathway,
        anchors: { start: today },
        enrolledAt: new Date().toISOString(),
      });
      workflowIds.set(id, workflowId);
    });
    const updateSeconds = await pool(ids, async (id) => {
      const handle = client.workflow.getHandle(workflowIds.get(id)!);
      for (let k = 1; k <= UPDATES; k++) await handle.executeUpdate(setVariableUpdate, { args: [{ name: 'n', value: k, by: 'bench' }] });
    });
    // Every journey wakes within one minute, starting 20 s after the last one is told.
    const firstWake = Date.now() + 20_000 + Math.ceil(JOURNEYS / 200) * 1_000;
    const wakeAt = new Map(ids.map((id) => [id, firstWake + Math.floor(Math.random() * 60_000)]));
    await pool(ids, async (id) => {
      await client.workflow
        .getHandle(workflowIds.get(id)!)
        .executeUpdate(setAnchorUpdate, { args: [{ name: 'wake_at', value: new Date(wakeAt.get(id)!).toISOString(), by: 'bench' }] });
    });
    const waitForRounds = async () => {
      // Let the last rounds' activities finish before the worker dies.
      for (;;) {
        const { rows } = await sql<{ n: string }>`select count(*) as n from journey_events where type = 'anchor-set'`.execute(db);
        if (Number(rows[0]!.n) >= JOURNEYS) return;
        await new Promise((r) => setTimeout(r, 200));
      }
    };
    await waitForRounds();
    const lengths: number[] = [];
    for (const id of ids.slice(0, 20)) lengths.push((await client.workflow.getHandle(workflowIds.get(id)!).fetchHistory()).events?.length ?? 0);

    worker.kill('SIGKILL');
    await new Promise((r) => worker!.once('exit', r));
    await new Promise((r) => setTimeout(r, 2_000));
    worker = startWorker();
    const restartedAt = Date.now();
    stderrProgress(`worker killed and restarted with an empty cache; ${JOURNEYS} journeys wake between ${new Date(firstWake).toISOString()} and +60 s`);

    // Wait until every journey has issued its wake-up task.
    const deadline = firstWake + 60_000 + 600_000;
    let acted = 0;
    while (Date.now() < deadline) {
      const { rows } = await sql<{ n: string }>`select count(*) as n from journey_events where type = 'issued' and step_id = 'wake_task'`.execute(db);
      acted = Number(rows[0]!.n);
      if (acted >= JOURNEYS) break;
      await new Promise((r) => setTimeout(r, 500));
    }
    const rss = peakRss(worker.pid!);
    const issued = await db
      .selectFrom('journey_events')
      .innerJoin('enrollments', 'enrollments.id', 'journey_events.enrollment_id')
      .select(['enrollments.id as id', 'journey_events.at as at'])
      .where('journey_events.step_id', '=', 'wake_task')
      .where('journey_events.type', '=', 'issued')
      .execute();
    const lags = issued.map((e) => (e.at.getTime() - wakeAt.get(e.id)!) / 1000);

    let timedOut = 0;
    let failed = 0;
    await pool(ids, async (id) => {
      const history = await client.workflow.getHandle(workflowIds.get(id)!).fetchHistory();
      for (const e of history.events ?? []) {
        if (e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_TIMED_OUT) timedOut++;
        if (e.eventType === EventType.EVENT_TYPE_WORKFLOW_TASK_FAILED) failed++;
      }
    });

    console.log(`\n== cold-fleet recovery: ${JOURNEYS} journeys, ${UPDATES} updates each, dev server, worker as its own process`);
    console.log(
      `setup           enrolments ${(JOURNEYS / enrolSeconds).toFixed(0)}/s, updates ${((JOURNEYS * UPDATES) / updateSeconds).toFixed(0)}/s; histories before the wake-up: ${Math.min(...lengths)}–${Math.max(...lengths)} events`,
    );
    console.log(
      `acted           ${acted} of ${JOURNEYS} journeys after the restart (${((firstWake - restartedAt) / 1000).toFixed(0)} s before the first wake-up)`,
    );
    console.log(
      `lateness        p50 ${pct(lags, 0.5).toFixed(1)} s   p99 ${pct(lags, 0.99).toFixed(1)} s   max ${Math.max(...lags).toFixed(1)} s after each journey's wake-up time`,
    );
    console.log(`workflow tasks  ${timedOut} timed out, ${failed} failed (counted in all ${JOURNEYS} histories)`);
    console.log(`worker          peak RSS ${(rss / 1_048_576).toFixed(0)} MiB (the restarted process)`);
    await connection.close();
  } finally {
    worker?.kill('SIGKILL');
    await db.destroy();
    await runAdminStatement(serverUrl, `drop database if exists ${name} with (force)`);
    await devServer.stop();
  }
}

await main();
