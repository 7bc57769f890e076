/**
 * API benchmark: `npx tsx bench/api.bench.ts`. Boots the whole platform (API and worker in one
 * process, as `npm start` runs it) on the machine's PostgreSQL (a throwaway database) and an
 * in-memory Temporal dev server, then measures over HTTP on 127.0.0.1:
 *   1. POST /v1/enrollments (identity encryption, consent, enrolment, workflow start);
 *   2. POST /v1/tasks/:id/complete (a Temporal update on the journey, which closes the task).
 * Prints latency p50/p99 and throughput at the stated concurrency. BENCH_N (default 200) and
 * BENCH_CONCURRENCY (default 16) change the load; everything stops by itself and is removed.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { createApiClient } from '../api/auth/api-keys.ts';
import { loadConfig } from '../config/load-config.ts';
import { openDatabase } from '../db/connect.ts';
import { startDevServer } from '../infra/dev-server.ts';
import { databaseUrl, ensureLocalPostgres, runAdminStatement } from '../infra/local-postgres.ts';
import { freePort } from '../infra/ports.ts';
import { silentProgress, stderrProgress } from '../infra/progress.ts';
import { ensureTemporalCli } from '../infra/temporal-cli.ts';
import { createLogger } from '../logging/logger.ts';
import { startPlatform } from '../platform/start-platform.ts';
import { installWorkerRuntime } from '../worker/runtime.ts';

const N = Number(process.env.BENCH_N ?? 200);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const TASK_WAIT_MS = 60_000;

async function main(): Promise<void> {
  const logger = createLogger('error', { pretty: false });
  installWorkerRuntime(logger);
  const serverUrl = await ensureLocalPostgres(stderrProgress);
  const dbName = `carepath_bench_${randomBytes(4).toString('hex')}`;
  await runAdminStatement(serverUrl, `create database ${dbName}`);
  const dataDir = mkdtempSync(path.join(tmpdir(), 'carepath-bench-'));
  const cli = await ensureTemporalCli(stderrProgress);
  const devServer = await startDevServer({ cliPath: cli.path, ip: '127.0.0.1', port: await freePort(), uiPort: null, namespace: 'default', dbFile: null, logLevel: 'error', logFile: null });
  process.env.CAREPATH_RATE_LIMIT_PER_MINUTE = String(1_000_000);
  const url = databaseUrl(serverUrl, dbName);
  try {
    const config = loadConfig({
      env: { TEMPORAL_ADDRESS: devServer.address, DATABASE_URL: url, PORT: '0', CAREPATH_PATHWAYS_DIR: 'tests/api/fixtures', CAREPATH_DATA_DIR: dataDir, TEMPORAL_TASK_QUEUE: `bench-${randomUUID()}` },
    });
    const platform = await startPlatform(config, logger, silentProgress);
    const database = await openDatabase({ url, embeddedDir: '' });
    try {
      const coordinator = (await createApiClient(database.db, { name: 'bench coordinator', role: 'coordinator', createdBy: 'bench' })).key;
      const butler = (await createApiClient(database.db, { name: 'bench butler', role: 'butler', butlerId: 'b1', createdBy: 'bench' })).key;
      const api = platform.apiUrl!;
      console.log(`carepath API benchmark: ${N} requests per phase at concurrency ${CONCURRENCY}, API and worker in one process`);
      console.log(`  PostgreSQL ${dbName} (local), Temporal dev server ${devServer.address} (in memory), node ${process.version}, ${(await import('node:os')).cpus().length} cores`);

      const lmp = new Date(Date.now() + 8 * 3_600_000 - 100 * 86_400_000).toISOString().slice(0, 10);
      const enrollmentIds: string[] = [];
      const enrol = await runPhase(N, async (i) => {
        const serial = `${Date.now() % 100_000}${i}`.padStart(9, '0');
        const response = await post(api, '/v1/enrollments', coordinator, {
          patient: { name: `压测患者${i}`, phone: `138${serial.slice(-8)}`, idType: 'resident-id', idNumber: `BENCH${serial}` },
          consent: { scope: ['care-management'], givenAt: new Date().toISOString(), recordedBy: 'bench' },
          program: 'test.api-care',
          anchors: { lmp },
          butlerId: 'b1',
        });
        if (response.status !== 201) throw new Error(`enrolment answered ${response.status}: ${await response.text()}`);
        enrollmentIds.push(((await response.json()) as { id: string }).id);
      });
      report('POST /v1/enrollments', enrol);

      const tasks = await waitForTasks(database.db, enrollmentIds);
      const appointment = new Date(Date.now() + 3 * 86_400_000).toISOString();
      const complete = await runPhase(tasks.length, async (i) => {
        const response = await post(api, `/v1/tasks/${tasks[i]}/complete`, butler, { data: { appointment_at: appointment } });
        if (response.status !== 200) throw new Error(`completion answered ${response.status}: ${await response.text()}`);
      });
      report('POST /v1/tasks/:id/complete', complete);
      await platform.stop();
    } finally {
      await database.close();
    }
  } finally {
    await devServer.stop();
    await runAdminStatement(serverUrl, `drop database if exists ${dbName} with (force)`);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

interface Phase {
  latencies: number[];
  wallMs: number;
}

/** Runs `count` calls with at most CONCURRENCY in flight; returns each call's latency. */
async function runPhase(count: number, callOnce: (i: number) => Promise<void>): Promise<Phase> {
  const latencies: number[] = [];
  let next = 0;
  const started = performance.now();
  await Promise.all(
    Array.from({ length: Math.min(CONCURRENCY, count) }, async () => {
      while (next < count) {
        const i = next++;
        const t0 = performance.now();
        await callOnce(i);
        latencies.push(performance.now() - t0);
      }
    }),
  );
  return { latencies, wallMs: performance.now() - started };
}

function report(name: string, phase: Phase): void {
  const sorted = [...phase.latencies].sort((a, b) => a - b);
  const at = (p: number) => sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!;
  console.log(
    `  ${name.padEnd(30)} n=${sorted.length}  p50 ${at(50).toFixed(1)} ms  p99 ${at(99).toFixed(1)} ms  max ${sorted.at(-1)!.toFixed(1)} ms  ` +
      `throughput ${((sorted.length / phase.wallMs) * 1000).toFixed(1)} req/s`,
  );
}

/** The open book_visit task of every enrolment, once its journey has created it. */
async function waitForTasks(db: Awaited<ReturnType<typeof openDatabase>>['db'], enrollmentIds: string[]): Promise<string[]> {
  const deadline = Date.now() + TASK_WAIT_MS;
  for (;;) {
    const rows = await db.selectFrom('tasks').select('id').where('step_id', '=', 'book_visit').where('status', '=', 'open').where('enrollment_id', 'in', enrollmentIds).execute();
    if (rows.length === enrollmentIds.length) return rows.map((r) => r.id);
    if (Date.now() > deadline) throw new Error(`only ${rows.length} of ${enrollmentIds.length} journeys created their first task within ${TASK_WAIT_MS / 1000} s`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

function post(base: string, url: string, key: string, body: unknown): Promise<Response> {
  return fetch(`${base}${url}`, { method: 'POST', headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' }, body: JSON.stringify(body) });
}

await main();
