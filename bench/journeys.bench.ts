/**
 * Journey benchmark: `node --expose-gc --import tsx bench/journeys.bench.ts [journeys=1000] [concurrency=20]`.
 *
 * Part 1, on a real Temporal dev server (in memory) and the machine's PostgreSQL, with the
 * production worker in this process: enrolments/s, updates/s and actions/s, and the worker's
 * memory per 1,000 running journeys (RSS and heap after GC, all journeys cached).
 * Part 2, on the time-skipping server: history events per journey for every shipped pathway
 * (the scenario of tests/integration/programs-e2e.test.ts), with the largest single run.
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import { createActivities } from '../activities/index.ts';
import { createLogChannel } from '../channels/log-channel.ts';
import { loadConfig } from '../config/load-config.ts';
import type { Database } from '../db/database.ts';
import { migrateToLatest } from '../db/migrate.ts';
import { startJourney } from '../enrollment/start-journey.ts';
import { startDevServer } from '../infra/dev-server.ts';
import { databaseUrl, ensureLocalPostgres, runAdminStatement } from '../infra/local-postgres.ts';
import { freePort } from '../infra/ports.ts';
import { stderrProgress } from '../infra/progress.ts';
import { ensureTemporalCli } from '../infra/temporal-cli.ts';
import { ensureTestServer } from '../infra/test-server.ts';
import { ensureWorkflowBundle } from '../worker/workflow-bundle.ts';
import { createLogger } from '../logging/logger.ts';
import { compileFile } from '../pathway/compiler/compile.ts';
import type { CompiledPathway } from '../pathway/planner/index.ts';
import { ensureSearchAttributes } from '../temporal/search-attributes.ts';
import { completeStepUpdate } from '../workflows/journey-definitions.ts';
import { driveJourney, type Scenario } from '../tests/support/journey-driver.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const JOURNEYS = Number(process.argv[2] ?? 1000);
const CONCURRENCY = Number(process.argv[3] ?? 20);
const silent = createLogger('silent', { pretty: false });
Runtime.install({ logger: new DefaultLogger('ERROR') });

/** A database on the local server for this run; its pool ignores the disconnect at drop time. */
function openBenchDatabase(serverUrl: string, name: string, max: number): Kysely<Database> {
  const pool = new pg.Pool({ connectionString: databaseUrl(serverUrl, name), max });
  pool.on('error', () => {});
  return new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
}

function compile(file: string): CompiledPathway {
  const result = compileFile(path.join(root, file));
  if (!result.compiled) throw new Error(`${file} does not compile`);
  return result.compiled;
}

async function pool<T>(items: T[], concurrency: number, fn: (item: T) => Promise<void>): Promise<number> {
  const started = performance.now();
  let next = 0;
  await Promise.all(
    Array.from({ length: concurrency }, async () => {
      while (next < items.length) await fn(items[next++]!);
    }),
  );
  return (performance.now() - started) / 1000;
}

function mib(bytes: number): string {
  return `${(bytes / 1_048_576).toFixed(1)} MiB`;
}

async function memory(): Promise<{ rss: number; heap: number }> {
  for (let i = 0; i < 3; i++) {
    (globalThis as { gc?: () => void }).gc?.();
    await new Promise((r) => setTimeout(r, 200));
  }
  const m = process.memoryUsage();
  return { rss: m.rss, heap: m.heapUsed };
}

async function throughput(): Promise<void> {
  const [cli, serverUrl] = await Promise.all([ensureTemporalCli(stderrProgress), ensureLocalPostgres(stderrProgress)]);
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
  const name = `carepath_bench_${randomUUID().slice(0, 8)}`;
  await runAdminStatement(serverUrl, `create database ${name}`);
  const db = openBenchDatabase(serverUrl, name, 20);
  try {
    await migrateToLatest(db);
    const connection = await Connection.connect({ address: devServer.address });
    await ensureSearchAttributes(connection, 'default', loadConfig({ env: {} }).temporal.searchAttributes);
    const client = new Client({ connection });
    const taskQueue = `bench-${randomUUID()}`;
    const worker = await Worker.create({
      connection: await NativeConnection.connect({ address: devServer.address }),
      taskQueue,
      workflowBundle: await ensureWorkflowBundle(stderrProgress),
      maxCachedWorkflows: JOURNEYS + 100,
      activities: createActivities({
        db,
        logger: silent,
        channels: new Map([['wechat', createLogChannel('wechat', silent)]]),
        renderTemplate: (id) => ({ text: id, fields: {} }),
      }),
    });
    const running = worker.run();
    const pathway = compile('tests/api/fixtures/care-demo.yaml');
    const lmp = new Date(Date.now() + 8 * 3_600_000 - 70 * 86_400_000).toISOString().slice(0, 10);
    const before = await memory();

    const ids = Array.from({ length: JOURNEYS }, () => randomUUID());
    const workflowIds = new Map<string, string>();
    const enrolSeconds = await pool(ids, CONCURRENCY, async (id) => {
      const { workflowId } = await startJourney(db, client, taskQueue, {
        enrollmentId: id,
        patientRef: `P-${id.slice(0, 12)}`,
        tenant: 'bench',
        butlerId: 'b1',
        pathway,
        anchors: { lmp },
        enrolledAt: new Date().toISOString(),
      });
      workflowIds.set(id, workflowId);
    });
    const count = async () => Number((await sql<{ n: string }>`select count(*) as n from journey_events where type = 'issued'`.execute(db)).rows[0]!.n);
    const issuedStep = async (key: string) =>
      Number((await sql<{ n: string }>`select count(*) as n from journey_events where event_key = ${`issued:${key}`}`.execute(db)).rows[0]!.n);
    const actionsStarted = performance.now();
    while ((await issuedStep('book_visit#1')) < JOURNEYS) await new Promise((r) => setTimeout(r, 100));
    while ((await issuedStep('mood_check#1')) < JOURNEYS) await new Promise((r) => setTimeout(r, 100));
    const firstActions = await count();
    const firstActionSeconds = (performance.now() - actionsStarted) / 1000;
    const after = await memory();

    const appointment = new Date(Date.now() + 5 * 86_400_000).toISOString();
    const updateSeconds = await pool(ids, CONCURRENCY, async (id) => {
      await client.workflow
        .getHandle(workflowIds.get(id)!)
        .executeUpdate(completeStepUpdate, { args: [{ key: 'book_visit#1', data: { appointment_at: appointment }, by: 'b1' }] });
    });
    while ((await issuedStep('visit_followup#1')) < JOURNEYS) await new Promise((r) => setTimeout(r, 100));
    const totalActions = await count();
    const totalActionSeconds = (performance.now() - actionsStarted) / 1000;

    console.log(
      `\n== journeys on the dev server: ${JOURNEYS} journeys, concurrency ${CONCURRENCY}, pathway ${pathway.id} (${(JSON.stringify(pathway).length / 1024).toFixed(1)} KiB compiled)`,
    );
    console.log(`enrolments      ${(JOURNEYS / enrolSeconds).toFixed(1)} /s   (${enrolSeconds.toFixed(1)} s; row + workflow start each)`);
    console.log(
      `first actions   ${(firstActions / firstActionSeconds).toFixed(1)} /s   (${firstActions} actions issued at enrolment — tasks and questionnaire pushes through activities — in ${firstActionSeconds.toFixed(1)} s after the enrolments)`,
    );
    console.log(`updates         ${(JOURNEYS / updateSeconds).toFixed(1)} /s   (completeStep, each closing a task in PostgreSQL)`);
    console.log(
      `actions         ${(totalActions / totalActionSeconds).toFixed(1)} /s   (all ${totalActions} issued actions over ${totalActionSeconds.toFixed(1)} s, updates included)`,
    );
    console.log(
      `worker memory   +${mib(after.rss - before.rss)} RSS, +${mib(after.heap - before.heap)} heap for ${JOURNEYS} cached running journeys (${mib(((after.rss - before.rss) / JOURNEYS) * 1000)} RSS per 1,000)`,
    );

    worker.shutdown();
    await running;
    await connection.close();
  } finally {
    await db.destroy();
    await runAdminStatement(serverUrl, `drop database if exists ${name} with (force)`);
    await devServer.stop();
  }
}

const CHECKUP = { sbp: 148, dbp: 92, fasting_glucose: 6.4, ldl: 4.3, tg: 1.8, alt: 35, uric_acid: 380, bmi: 26.1, thyroid_ctirads: '3' };
const localDate = (ms: number, days: number) => new Date(ms + 8 * 3_600_000 + days * 86_400_000).toISOString().slice(0, 10);
const SCENARIOS: [string, (now: number) => Scenario][] = [
  ['pathways/obstetrics/full-pregnancy.yaml', (now) => ({ anchors: { lmp: localDate(now, -42) }, days: 300, events: [{ day: 238, name: 'delivered' }] })],
  ['pathways/obstetrics/mid-pregnancy.yaml', (now) => ({ anchors: { lmp: localDate(now, -98) }, days: 200, events: [{ day: 182, name: 'delivered' }] })],
  ['pathways/obstetrics/late-pregnancy.yaml', (now) => ({ anchors: { lmp: localDate(now, -196) }, days: 150, events: [{ day: 84, name: 'delivered' }] })],
  ['pathways/post-checkup/premium.yaml', (now) => ({ anchors: { checkup: localDate(now, 0) }, variables: CHECKUP, days: 370 })],
  ['pathways/post-checkup/basic.yaml', (now) => ({ anchors: { checkup: localDate(now, 0) }, variables: CHECKUP, days: 370 })],
  [
    'pathways/reproductive/ivf-cycle.yaml',
    (now) => ({
      anchors: { cycle_start: localDate(now, 0) },
      days: 75,
      corrections: [
        { day: 12, name: 'trigger_at', value: `${localDate(now, 12)}T21:00:00+08:00` },
        { day: 15, name: 'transfer_at', value: `${localDate(now, 17)}T10:00:00+08:00` },
      ],
    }),
  ],
  ['pathways/chronic/diabetes-home.yaml', (now) => ({ anchors: { enrolled_on: localDate(now, 0) }, days: 370 })],
];

async function histories(): Promise<void> {
  const testServer = await ensureTestServer(stderrProgress);
  const serverUrl = await ensureLocalPostgres(stderrProgress);
  const env = await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path: testServer.path } } });
  const name = `carepath_bench_${randomUUID().slice(0, 8)}`;
  await runAdminStatement(serverUrl, `create database ${name}`);
  const db = openBenchDatabase(serverUrl, name, 10);
  await migrateToLatest(db);
  const taskQueue = `hist-${randomUUID()}`;
  const channels = new Map(['wechat', 'sms', 'app'].map((c) => [c, createLogChannel(c, silent)]));
  const worker = await Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: await ensureWorkflowBundle(stderrProgress),
    activities: createActivities({ db, logger: silent, channels, renderTemplate: (id) => ({ text: id, fields: {} }) }),
  });
  const running = worker.run();
  try {
    console.log('\n== history events per journey (time-skipping server, scenario of tests/integration/programs-e2e.test.ts)');
    console.log('pathway                          runs  events  largest run  issued actions  rows: journey_events outbox tasks  row bytes');
    for (const [file, scenario] of SCENARIOS) {
      const pathway = compile(file);
      const clock = await env.currentTimeMs();
      await env.sleep(Date.parse(`${localDate(clock, 1)}T02:00:00+08:00`) - clock);
      const now = await env.currentTimeMs();
      const s = scenario(now);
      const enrollmentId = randomUUID();
      const { workflowId, runId } = await startJourney(db, env.client, taskQueue, {
        enrollmentId,
        patientRef: `P-${enrollmentId.slice(0, 8)}`,
        tenant: 'bench',
        butlerId: 'b1',
        pathway,
        anchors: s.anchors,
        ...(s.variables ? { variables: s.variables } : {}),
        enrolledAt: new Date(now).toISOString(),
        searchAttributes: false,
      });
      const handle = env.client.workflow.getHandle(workflowId);
      await driveJourney(env, handle, pathway, s);
      // Follow the chain of runs (continue-as-new) from the first one.
      const lengths: number[] = [];
      for (let run: string | null | undefined = runId; run;) {
        const history = await env.client.workflow.getHandle(workflowId, run).fetchHistory();
        lengths.push(history.events?.length ?? 0);
        run = history.events?.at(-1)?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId;
      }
      const issued = Number(
        (await sql<{ n: string }>`select count(*) as n from journey_events where enrollment_id = ${enrollmentId} and type = 'issued'`.execute(db)).rows[0]!.n,
      );
      const total = lengths.reduce((a, b) => a + b, 0);
      const rows = await rowsOf(db, enrollmentId);
      console.log(
        `${pathway.id.padEnd(32)} ${String(lengths.length).padStart(4)}  ${String(total).padStart(6)}  ${String(Math.max(...lengths)).padStart(11)}  ${String(issued).padStart(14)}` +
          `  ${String(rows.journey_events.rows).padStart(20)} ${String(rows.outbox_messages.rows).padStart(6)} ${String(rows.tasks.rows).padStart(5)}` +
          `  ${String(rows.journey_events.bytes + rows.outbox_messages.bytes + rows.tasks.bytes).padStart(9)}`,
      );
    }
  } finally {
    worker.shutdown();
    await running;
    await db.destroy();
    await runAdminStatement(serverUrl, `drop database if exists ${name} with (force)`);
    await env.teardown();
  }
}

/** Rows a journey left in the tables that grow with it, and their bytes (pg_column_size, before indexes). */
async function rowsOf(db: Kysely<Database>, enrollmentId: string) {
  const count = async (table: 'journey_events' | 'outbox_messages' | 'tasks') => {
    const r = await sql<{
      n: string;
      bytes: string | null;
    }>`select count(*) as n, sum(pg_column_size(t.*)) as bytes from ${sql.table(table)} t where enrollment_id = ${enrollmentId}`.execute(db);
    return { rows: Number(r.rows[0]!.n), bytes: Number(r.rows[0]!.bytes ?? 0) };
  };
  return { journey_events: await count('journey_events'), outbox_messages: await count('outbox_messages'), tasks: await count('tasks') };
}

// BENCH_PART=throughput or BENCH_PART=histories runs one part only.
if (process.env.BENCH_PART !== 'histories') await throughput();
if (process.env.BENCH_PART !== 'throughput') await histories();
