/**
 * Delivered reminders per second: `node --import tsx bench/delivery.bench.ts [reminders=2000]`.
 *
 * The same delivery code (the sendMessage activity: outbox row, row lock, channel, marked sent)
 * behind two engines on the same PostgreSQL, with a channel that answers at once:
 *   - journeys: the production worker (in this process) on a Temporal dev server, journeys of
 *     bench/fixtures/pathways/delivery.yaml (five reminders due at enrolment), enrolled at once;
 *   - pg-boss: the same messages as jobs of a pg-boss queue, four workers taking batches of 50.
 * Each run counts from the first enrolment (or job) until every outbox row is sent, and the two
 * alternate twice; prints the medians and the ratio.
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { Kysely, PostgresDialect, sql } from 'kysely';
import pg from 'pg';
import PgBoss from 'pg-boss';
import { createActivities } from '../activities/index.ts';
import type { SendMessageInput } from '../activities/messages.ts';
import type { Channel } from '../channels/channel.ts';
import { loadConfig } from '../config/load-config.ts';
import type { Database } from '../db/database.ts';
import { migrateToLatest } from '../db/migrate.ts';
import { startJourney } from '../enrollment/start-journey.ts';
import { startDevServer } from '../infra/dev-server.ts';
import { databaseUrl, ensureLocalPostgres, runAdminStatement } from '../infra/local-postgres.ts';
import { freePort } from '../infra/ports.ts';
import { stderrProgress } from '../infra/progress.ts';
import { ensureTemporalCli } from '../infra/temporal-cli.ts';
import { createLogger } from '../logging/logger.ts';
import { compileFile } from '../pathway/compiler/compile.ts';
import { ensureSearchAttributes } from '../temporal/search-attributes.ts';
import { ensureWorkflowBundle } from '../worker/workflow-bundle.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const REMINDERS = Number(process.argv[2] ?? 2000);
const PER_JOURNEY = 5;
const CONCURRENCY = 20;
Runtime.install({ logger: new DefaultLogger('ERROR') });
const silent = createLogger('silent', { pretty: false });

/** A channel that delivers at once (the benchmark measures the engines, not a gateway). */
const instant: Channel = { name: 'wechat', deliver: async (m) => ({ providerMessageId: `instant-${m.idempotencyKey}` }) };

async function main(): Promise<void> {
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
  const name = `carepath_delivery_${randomUUID().slice(0, 8)}`;
  await runAdminStatement(serverUrl, `create database ${name}`);
  const url = databaseUrl(serverUrl, name);
  const pool = new pg.Pool({ connectionString: url, max: 20 });
  pool.on('error', () => {});
  const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool }) });
  const boss = new PgBoss({ connectionString: url, max: 10 });
  boss.on('error', () => {});
  try {
    await migrateToLatest(db);
    const activities = createActivities({ db, logger: silent, channels: new Map([['wechat', instant]]), renderTemplate: (id) => ({ text: id, fields: {} }) });
    const pathway = compileFile(path.join(root, 'bench', 'fixtures', 'pathways', 'delivery.yaml')).compiled!;
    const connection = await Connection.connect({ address: devServer.address });
    await ensureSearchAttributes(connection, 'default', loadConfig({ env: {} }).temporal.searchAttributes);
    const client = new Client({ connection });
    const taskQueue = `delivery-${randomUUID()}`;
    const worker = await Worker.create({
      connection: await NativeConnection.connect({ address: devServer.address }),
      taskQueue,
      workflowBundle: await ensureWorkflowBundle(stderrProgress),
      activities,
      maxCachedWorkflows: REMINDERS,
    });
    const workerRun = worker.run();
    await boss.start();
    await boss.createQueue('reminders');
    // Four workers polling every half second (the shortest pg-boss allows), 50 jobs a fetch.
    for (let w = 0; w < 4; w++) {
      await boss.work<SendMessageInput>('reminders', { batchSize: 50, pollingIntervalSeconds: 0.5 }, async (jobs) => {
        await Promise.all(jobs.map((job) => activities.sendMessage(job.data)));
      });
    }

    const sent = async (enrollmentIds: string[]) =>
      Number(
        (await sql<{ n: string }>`select count(*) as n from outbox_messages where status = 'sent' and enrollment_id = any(${enrollmentIds})`.execute(db))
          .rows[0]!.n,
      );
    const untilSent = async (enrollmentIds: string[], total: number) => {
      while ((await sent(enrollmentIds)) < total) await new Promise((r) => setTimeout(r, 100));
    };
    const journeys = REMINDERS / PER_JOURNEY;
    const today = new Date(Date.now() + 8 * 3_600_000).toISOString().slice(0, 10);

    const viaJourneys = async (): Promise<number> => {
      const ids: string[] = Array.from({ length: journeys }, () => randomUUID());
      const started = performance.now();
      let next = 0;
      await Promise.all(
        Array.from({ length: CONCURRENCY }, async () => {
          while (next < ids.length) {
            const id = ids[next++]!;
            await startJourney(db, client, taskQueue, {
              enrollmentId: id,
              patientRef: `P-${id.slice(0, 12)}`,
              tenant: 'bench',
              butlerId: 'b1',
              pathway,
              anchors: { start: today },
              enrolledAt: new Date().toISOString(),
            });
          }
        }),
      );
      await untilSent(ids, REMINDERS);
      return REMINDERS / ((performance.now() - started) / 1000);
    };
    const viaPgBoss = async (): Promise<number> => {
      // The same rows a journey would write first (the outbox references its enrolment).
      const ids: string[] = Array.from({ length: journeys }, () => randomUUID());
      await db
        .insertInto('enrollments')
        .values(
          ids.map((id) => ({
            id,
            patient_ref: `P-${id.slice(0, 12)}`,
            program: 'general',
            pathway_id: pathway.id,
            pathway_version: pathway.version,
            pathway_hash: pathway.hash,
            workflow_id: `boss/${id}`,
            butler_id: 'b1',
          })),
        )
        .execute();
      const jobs = ids.flatMap((id) =>
        Array.from({ length: PER_JOURNEY }, (_, k): { name: string; data: SendMessageInput } => ({
          name: 'reminders',
          data: {
            enrollmentId: id,
            patientRef: `P-${id.slice(0, 12)}`,
            stepId: `reminder_${k + 1}`,
            occurrenceKey: `reminder_${k + 1}#1`,
            channel: 'wechat',
            audience: 'patient',
            templateId: 'fleet_notice',
            variables: { title: `提醒${k + 1}` },
            urgent: true,
          },
        })),
      );
      const started = performance.now();
      for (let i = 0; i < jobs.length; i += 500) await boss.insert(jobs.slice(i, i + 500));
      await untilSent(ids, REMINDERS);
      return REMINDERS / ((performance.now() - started) / 1000);
    };

    const rates = { journeys: [] as number[], pgBoss: [] as number[] };
    for (let r = 0; r < 2; r++) {
      rates.journeys.push(await viaJourneys());
      rates.pgBoss.push(await viaPgBoss());
    }
    const best = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;
    const j = best(rates.journeys);
    const b = best(rates.pgBoss);
    console.log(
      `\n== delivered reminders per second, ${REMINDERS} reminders per run (${journeys} journeys × ${PER_JOURNEY}), same delivery code, same PostgreSQL`,
    );
    console.log(`journeys (Temporal dev server, worker in this process)   ${j.toFixed(1)} /s   (runs: ${rates.journeys.map((x) => x.toFixed(1)).join(', ')})`);
    console.log(`pg-boss (4 workers, batches of 50)                        ${b.toFixed(1)} /s   (runs: ${rates.pgBoss.map((x) => x.toFixed(1)).join(', ')})`);
    console.log(`ratio                                                     ${(j / b).toFixed(2)}×`);
    worker.shutdown();
    await workerRun;
    await connection.close();
  } finally {
    await boss.stop({ graceful: false }).catch(() => {});
    await db.destroy();
    await runAdminStatement(serverUrl, `drop database if exists ${name} with (force)`);
    await devServer.stop();
  }
}

await main();
