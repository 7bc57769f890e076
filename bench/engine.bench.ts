/**
 * The journey engine against a hand-coded workflow, warm cache:
 * `node --import tsx bench/engine.bench.ts [journeys=200] [rounds=3]`.
 *
 * On a Temporal dev server, one worker process (bench/support/engine-worker.ts) runs the
 * production journey workflow and the hand-coded yardstick (bench/workflows/hand-coded.ts), both
 * with stand-in activities that do no I/O. A batch of journeys (tests/api/fixtures/care-demo.yaml:
 * tasks and a questionnaire at enrolment, a booking completed through an update, the follow-up
 * it causes) alternates with a batch of yardsticks making the same activity calls, batch by
 * batch, with payloads of the same sizes. Prints the worker's CPU per action (from /proc),
 * events and history bytes per journey, each next to the yardstick's, and the ratios.
 */
import { fork, type ChildProcess } from 'node:child_process';
import { randomUUID } from 'node:crypto';
import { readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import { loadConfig } from '../config/load-config.ts';
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
import { PathwayReferenceCodec, PAYLOAD_CONVERTER_PATH } from '../temporal/codec/index.ts';
import { ensureSearchAttributes } from '../temporal/search-attributes.ts';
import { ensureWorkflowBundle } from '../worker/workflow-bundle.ts';
import { completeStepUpdate } from '../workflows/journey-definitions.ts';
import { historyShape, type JsonHistory } from './support/history-shape.ts';
import type { Batch, handCodedWorkflow } from './workflows/hand-coded.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const JOURNEYS = Number(process.argv[2] ?? 200);
const ROUNDS = Number(process.argv[3] ?? 3);
const CONCURRENCY = 20;

interface Counters {
  rounds: number;
  tasks: number;
  messages: number;
  yardstickCalls: number;
}

async function pool<T>(items: T[], fn: (item: T) => Promise<void>): Promise<void> {
  let next = 0;
  await Promise.all(
    Array.from({ length: CONCURRENCY }, async () => {
      while (next < items.length) await fn(items[next++]!);
    }),
  );
}

/** User plus system CPU of a process in milliseconds, from /proc (Linux). */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  const [cli, serverUrl] = await Promise.all([ensureTemporalCli(stderrProgress), ensureLocalPostgres(stderrProgress)]);
  await ensureWorkflowBundle(stderrProgress);
  await ensureWorkflowBundle(stderrProgress, path.join(root, 'bench', 'workflows', 'index.ts'));
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
  const name = `carepath_engine_${randomUUID().slice(0, 8)}`;
  await runAdminStatement(serverUrl, `create database ${name}`);
  const url = databaseUrl(serverUrl, name);
  const pgPool = new pg.Pool({ connectionString: url, max: 10 });
  pgPool.on('error', () => {});
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: pgPool }) });
  let worker: ChildProcess | undefined;
  try {
    await migrateToLatest(db);
    const pathway = compileFile(path.join(root, 'tests', 'api', 'fixtures', 'care-demo.yaml')).compiled!;
    const connection = await Connection.connect({ address: devServer.address });
    await ensureSearchAttributes(connection, 'default', loadConfig({ env: {} }).temporal.searchAttributes);
    const client = new Client({
      connection,
      dataConverter: { payloadConverterPath: PAYLOAD_CONVERTER_PATH, payloadCodecs: [new PathwayReferenceCodec(pathwayContents(db, [pathway]))] },
    });
    const journeyQueue = `engine-journeys-${randomUUID()}`;
    const yardstickQueue = `engine-yardsticks-${randomUUID()}`;
    const child = (worker = fork(path.join(root, 'bench', 'support', 'engine-worker.ts'), [devServer.address, url, journeyQueue, yardstickQueue], {
      execArgv: ['--import', 'tsx'],
      stdio: 'inherit',
    }));
    await new Promise((r) => child.once('message', r));
    const counters = () =>
      new Promise<Counters>((resolve) => {
        child.once('message', (m) => resolve(m as Counters));
        child.send('counters');
      });
    const until = async (done: (c: Counters) => boolean) => {
      while (!done(await counters())) await new Promise((r) => setTimeout(r, 50));
    };

    const lmp = new Date(Date.now() + 8 * 3_600_000 - 70 * 86_400_000).toISOString().slice(0, 10);
    const appointment = new Date(Date.now() + 5 * 86_400_000).toISOString();
    const actionsOf = (c: Counters) => c.tasks + c.messages;
    /** Runs `n` journeys to where they sleep; returns their workflow ids. */
    const runJourneys = async (n: number): Promise<string[]> => {
      const before = await counters();
      const ids: string[] = Array.from({ length: n }, () => randomUUID());
      const workflowIds: string[] = [];
      await pool(ids, async (id) => {
        const { workflowId } = await startJourney(db, client, journeyQueue, {
          enrollmentId: id,
          patientRef: `P-${id.slice(0, 12)}`,
          tenant: 'bench',
          butlerId: 'b1',
          pathway,
          anchors: { lmp },
          enrolledAt: new Date().toISOString(),
        });
        workflowIds.push(workflowId);
      });
      await until((c) => c.tasks - before.tasks >= 2 * n);
      await pool(workflowIds, async (workflowId) => {
        await client.workflow
          .getHandle(workflowId)
          .executeUpdate(completeStepUpdate, { args: [{ key: 'book_visit#1', data: { appointment_at: appointment }, by: 'b1' }] });
      });
      await until((c) => c.tasks - before.tasks >= 3 * n && c.rounds - before.rounds >= 2 * n);
      return workflowIds;
    };

    // A probe journey gives the shape the yardstick copies.
    const [probe] = await runJourneys(1);
    await new Promise((r) => setTimeout(r, 500));
    const probeJson = JSON.parse(historyToJSON(await client.workflow.getHandle(probe!).fetchHistory())) as JsonHistory;
    const shape = historyShape(probeJson);
    // Timers of 1 ms: on the dev server time is real, and the journey's own timers were cut short by updates.
    const batches: Batch[] = shape.batches.map(([activities, timer, locals]) => [activities, timer > 0 ? 1 : 0, locals ?? []]);
    const afterProbe = await counters();
    const actionsPerJourney = actionsOf(afterProbe);
    const callsPerYardstick = shape.activities + shape.localActivities;
    const runYardsticks = async (n: number): Promise<string[]> => {
      const before = await counters();
      const workflowIds: string[] = Array.from({ length: n }, () => `yardstick-${randomUUID()}`);
      await pool(workflowIds, async (workflowId) => {
        await client.workflow.start<typeof handCodedWorkflow>('handCodedWorkflow', { args: [batches], taskQueue: yardstickQueue, workflowId });
      });
      await until((c) => c.yardstickCalls - before.yardstickCalls >= n * callsPerYardstick);
      return workflowIds;
    };
    const [yardstickProbe] = await runYardsticks(1);
    await new Promise((r) => setTimeout(r, 500));
    const yardstickShape = historyShape(JSON.parse(historyToJSON(await client.workflow.getHandle(yardstickProbe!).fetchHistory())) as JsonHistory);

    const samples = { journey: [] as number[], yardstick: [] as number[] };
    for (let r = 0; r <= ROUNDS; r++) {
      for (const kind of ['journey', 'yardstick'] as const) {
        const before = cpuMs(child.pid!);
        await (kind === 'journey' ? runJourneys(JOURNEYS) : runYardsticks(JOURNEYS));
        const used = cpuMs(child.pid!) - before;
        if (r > 0) samples[kind].push(used / (JOURNEYS * actionsPerJourney));
      }
    }
    const j = median(samples.journey);
    const y = median(samples.yardstick);
    console.log(
      `\n== journey engine vs hand-coded yardstick, warm cache, dev server, stand-in activities; ${JOURNEYS} per batch, median of ${ROUNDS} alternating batches`,
    );
    console.log(
      `per journey: ${actionsPerJourney} actions (tasks and messages), ${shape.activities} activities, ${shape.localActivities} local activities, ${shape.timers} timers; yardstick: ${yardstickShape.activities} activities, ${yardstickShape.localActivities} local activities, ${yardstickShape.timers} timers`,
    );
    console.log(`worker CPU per action   journey ${j.toFixed(2)} ms   yardstick ${y.toFixed(2)} ms   ratio ${(j / y).toFixed(2)}×`);
    console.log(
      `events per action       journey ${(shape.events / actionsPerJourney).toFixed(1)}   yardstick ${(yardstickShape.events / actionsPerJourney).toFixed(1)}   ratio ${(shape.events / yardstickShape.events).toFixed(2)}×`,
    );
    console.log(
      `history payload bytes   journey ${shape.payloadBytes}   yardstick ${yardstickShape.payloadBytes}   ratio ${(shape.payloadBytes / yardstickShape.payloadBytes).toFixed(2)}×  (compiled pathway: ${JSON.stringify(pathway).length} bytes, referenced)`,
    );
    const top = (b: Record<string, number>) =>
      Object.entries(b)
        .sort((x, y) => y[1] - x[1])
        .map(([k, v]) => `${k} ${v}`)
        .join(', ');
    console.log(`  journey bytes by event: ${top(shape.bytesByEvent)}`);
    console.log(`  yardstick bytes by event: ${top(yardstickShape.bytesByEvent)}`);
    child.send('stop');
    await new Promise((r) => child.once('exit', r));
    await connection.close();
  } finally {
    if (worker && worker.exitCode === null) worker.kill('SIGKILL');
    await db.destroy();
    await runAdminStatement(serverUrl, `drop database if exists ${name} with (force)`);
    await devServer.stop();
  }
}

await main();
