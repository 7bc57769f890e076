/**
 * API benchmark: `npx tsx bench/api.bench.ts`. On the machine's PostgreSQL (a throwaway
 * database) and an in-memory Temporal dev server, runs the API (`carepath api`) and the journey
 * worker (`carepath worker`) as two processes — BENCH_LAYOUT=together runs `carepath start`'s
 * single process instead — and measures over HTTP on 127.0.0.1:
 *   1. POST /v1/enrollments (identity encryption, consent, enrolment, workflow start);
 *   2. POST /v1/tasks/:id/complete (the journey's completeStep update; the task closed in PostgreSQL);
 * next to, in the same run and alternating in chunks, what the engine alone costs from this
 * process with the same data converter: a bare `workflow.start` with the same journey input, and
 * a bare update answered at once by a workflow that does nothing else (bench/workflows/bare.ts).
 * Prints p50/p99 and throughput of each and the p50 ratios. BENCH_N (default 200) and
 * BENCH_CONCURRENCY (default 16) change the load.
 */
import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync, readFileSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { createApiClient } from '../api/auth/api-keys.ts';
import { loadConfig } from '../config/load-config.ts';
import { openDatabase } from '../db/connect.ts';
import { migrateToLatest } from '../db/migrate.ts';
import { startDevServer } from '../infra/dev-server.ts';
import { databaseUrl, ensureLocalPostgres, runAdminStatement } from '../infra/local-postgres.ts';
import { freePort } from '../infra/ports.ts';
import { stderrProgress } from '../infra/progress.ts';
import { ensureTemporalCli } from '../infra/temporal-cli.ts';
import { compileFile } from '../pathway/compiler/compile.ts';
import { pathwayContents } from '../platform/pathway-contents.ts';
import { encryptingDataConverter, parseKeyRing } from '../temporal/codec/index.ts';
import { ensureSearchAttributes } from '../temporal/search-attributes.ts';
import { ensureWorkflowBundle } from '../worker/workflow-bundle.ts';
import type { JourneyInput } from '../workflows/journey-definitions.ts';
import { echoUpdate, type bareWorkflow } from './workflows/bare.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const N = Number(process.env.BENCH_N ?? 200);
const CONCURRENCY = Number(process.env.BENCH_CONCURRENCY ?? 16);
const LAYOUT = process.env.BENCH_LAYOUT === 'together' ? 'together' : 'separate';
const CHUNKS = 4;
const TASK_WAIT_MS = 120_000;
Runtime.install({ logger: new DefaultLogger('ERROR') });

async function main(): Promise<void> {
  const serverUrl = await ensureLocalPostgres(stderrProgress);
  await ensureWorkflowBundle(stderrProgress);
  const benchBundle = await ensureWorkflowBundle(stderrProgress, path.join(root, 'bench', 'workflows', 'index.ts'));
  const dbName = `carepath_bench_${randomBytes(4).toString('hex')}`;
  await runAdminStatement(serverUrl, `create database ${dbName}`);
  const dataDir = mkdtempSync(path.join(tmpdir(), 'carepath-bench-'));
  const cli = await ensureTemporalCli(stderrProgress);
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
  const url = databaseUrl(serverUrl, dbName);
  const keys = `k1:${randomBytes(32).toString('base64')}`;
  const taskQueue = `bench-${randomUUID()}`;
  const port = await freePort();
  const children: ChildProcess[] = [];
  const env = {
    PATH: process.env.PATH,
    HOME: process.env.HOME,
    TEMPORAL_ADDRESS: devServer.address,
    TEMPORAL_TASK_QUEUE: taskQueue,
    DATABASE_URL: url,
    PORT: String(port),
    CAREPATH_PATHWAYS_DIR: path.join(root, 'tests', 'api', 'fixtures'),
    CAREPATH_DATA_DIR: dataDir,
    CAREPATH_CODEC_KEYS: keys,
    CAREPATH_RATE_LIMIT_PER_MINUTE: String(1_000_000),
    LOG_LEVEL: 'error',
  };
  const start = async (command: string) => {
    const child = spawn(process.execPath, [path.join(root, 'bin', 'carepath.js'), command], { cwd: root, env, stdio: ['ignore', 'ignore', 'pipe'] });
    children.push(child);
    await new Promise<void>((resolve, reject) => {
      let text = '';
      child.stderr!.on('data', (chunk) => {
        text += String(chunk);
        if (text.includes('is running')) resolve();
      });
      child.once('exit', (code) => reject(new Error(`carepath ${command} exited (${code}): ${text}`)));
    });
  };
  const database = await openDatabase({ url, embeddedDir: '' });
  try {
    // One process writes the development keys and migrates before the others start.
    if (LAYOUT === 'separate') {
      await start('worker');
      await start('api');
    } else {
      await start('start');
    }
    processes = [...children];
    await migrateToLatest(database.db);
    const coordinator = (await createApiClient(database.db, { name: 'bench coordinator', role: 'coordinator', createdBy: 'bench' })).key;
    const butler = (await createApiClient(database.db, { name: 'bench butler', role: 'butler', butlerId: 'b1', createdBy: 'bench' })).key;
    const api = `http://127.0.0.1:${port}`;

    // The engine alone, from this process: same data converter, same journey input.
    const pathway = compileFile(path.join(root, 'tests', 'api', 'fixtures', 'care-demo.yaml')).compiled!;
    const connection = await Connection.connect({ address: devServer.address });
    await ensureSearchAttributes(connection, 'default', loadConfig({ env: {} }).temporal.searchAttributes);
    const dataConverter = encryptingDataConverter(parseKeyRing(keys, { source: 'bench' }), pathwayContents(database.db, [pathway]));
    const client = new Client({ connection, dataConverter });
    const bareQueue = `bare-${randomUUID()}`;
    const bareWorker = await Worker.create({
      connection: await NativeConnection.connect({ address: devServer.address }),
      taskQueue: bareQueue,
      workflowBundle: benchBundle,
      dataConverter,
    });
    const bareRunning = bareWorker.run();

    console.log(
      `carepath API benchmark: ${N} requests per kind at concurrency ${CONCURRENCY}, ${LAYOUT === 'separate' ? 'API and worker as two processes' : 'API and worker in one process (carepath start)'}`,
    );
    console.log(
      `  PostgreSQL ${dbName} (local), Temporal dev server ${devServer.address} (in memory), node ${process.version}, ${(await import('node:os')).cpus().length} cores`,
    );

    const lmp = new Date(Date.now() + 8 * 3_600_000 - 100 * 86_400_000).toISOString().slice(0, 10);
    const enrollmentIds: string[] = [];
    const bareIds: string[] = [];
    const input = (): JourneyInput => ({
      enrollmentId: randomUUID(),
      patientRef: `P-${randomUUID().slice(0, 12)}`,
      tenant: 'default',
      butlerId: 'b1',
      pathway,
      journey: { enrolledAt: new Date().toISOString(), anchors: { lmp } },
    });
    let serial = 0;
    const enrol = async () => {
      const i = serial++;
      const id = `${Date.now() % 100_000}${i}`.padStart(9, '0');
      const response = await post(api, '/v1/enrollments', coordinator, {
        patient: { name: `压测患者${i}`, phone: `138${id.slice(-8)}`, idType: 'resident-id', idNumber: `BENCH${id}`, wechatOpenId: `oBENCH_${id}_openid` },
        consent: { scope: ['care-management', 'wechat-contact', 'sms-contact', 'app-contact'], givenAt: new Date().toISOString(), recordedBy: 'bench' },
        program: 'test.api-care',
        anchors: { lmp },
        butlerId: 'b1',
      });
      if (response.status !== 201) throw new Error(`enrolment answered ${response.status}: ${await response.text()}`);
      enrollmentIds.push(((await response.json()) as { id: string }).id);
    };
    const bareStart = async () => {
      const workflowId = `bare-${randomUUID()}`;
      await client.workflow.start<typeof bareWorkflow>('bareWorkflow', { args: [input()], taskQueue: bareQueue, workflowId });
      bareIds.push(workflowId);
    };
    const starts = await alternate(N, enrol, bareStart);

    const tasks = await waitForTasks(database.db, enrollmentIds);
    const appointment = new Date(Date.now() + 3 * 86_400_000).toISOString();
    let t = 0;
    let b = 0;
    const complete = async () => {
      const response = await post(api, `/v1/tasks/${tasks[t++]}/complete`, butler, { data: { appointment_at: appointment } });
      if (response.status !== 200) throw new Error(`completion answered ${response.status}: ${await response.text()}`);
    };
    const bareUpdate = async () => {
      await client.workflow
        .getHandle(bareIds[b++]!)
        .executeUpdate(echoUpdate, { args: [{ key: 'book_visit#1', data: { appointment_at: appointment }, by: 'b1' }] });
    };
    const updates = await alternate(tasks.length, complete, bareUpdate);

    report('POST /v1/enrollments', starts.a, 'bare workflow.start', starts.b);
    report('POST /v1/tasks/:id/complete', updates.a, 'bare update', updates.b);
    bareWorker.shutdown();
    await bareRunning;
    await connection.close();
  } finally {
    for (const child of children) child.kill('SIGTERM');
    await Promise.all(children.map((c) => (c.exitCode === null ? new Promise((r) => c.once('exit', r)) : Promise.resolve())));
    await database.close();
    await devServer.stop();
    await runAdminStatement(serverUrl, `drop database if exists ${dbName} with (force)`);
    rmSync(dataDir, { recursive: true, force: true });
  }
}

interface Phase {
  latencies: number[];
  wallMs: number;
  /** CPU ms of each carepath process (API, worker) during the phase. */
  cpu: number[];
}

/** User plus system CPU of a process in milliseconds, from /proc (Linux). */
function cpuMs(pid: number): number {
  const fields = readFileSync(`/proc/${pid}/stat`, 'utf8').split(') ')[1]!.split(' ');
  return ((Number(fields[11]) + Number(fields[12])) * 1000) / 100;
}
let processes: ChildProcess[] = [];

/** `count` calls of each, in CHUNKS alternating chunks (a, b, a, b, …), at most CONCURRENCY in flight. */
async function alternate(count: number, a: () => Promise<void>, b: () => Promise<void>): Promise<{ a: Phase; b: Phase }> {
  const out = {
    a: { latencies: [] as number[], wallMs: 0, cpu: processes.map(() => 0) },
    b: { latencies: [] as number[], wallMs: 0, cpu: processes.map(() => 0) },
  };
  const per = Math.ceil(count / CHUNKS);
  for (let done = 0; done < count; done += per) {
    const n = Math.min(per, count - done);
    for (const [phase, fn] of [
      [out.a, a],
      [out.b, b],
    ] as const) {
      const started = performance.now();
      const cpuBefore = processes.map((p) => cpuMs(p.pid!));
      let next = 0;
      await Promise.all(
        Array.from({ length: Math.min(CONCURRENCY, n) }, async () => {
          while (next++ < n) {
            const t0 = performance.now();
            await fn();
            phase.latencies.push(performance.now() - t0);
          }
        }),
      );
      phase.wallMs += performance.now() - started;
      processes.forEach((p, i) => (phase.cpu[i]! += cpuMs(p.pid!) - cpuBefore[i]!));
    }
  }
  return out;
}

function stats(phase: Phase) {
  const sorted = [...phase.latencies].sort((x, y) => x - y);
  const at = (p: number) => sorted[Math.max(0, Math.ceil((p / 100) * sorted.length) - 1)]!;
  return { n: sorted.length, p50: at(50), p99: at(99), max: sorted.at(-1)!, rate: (sorted.length / phase.wallMs) * 1000 };
}

function report(name: string, phase: Phase, bareName: string, bare: Phase): void {
  const s = stats(phase);
  const r = stats(bare);
  const line = (label: string, x: ReturnType<typeof stats>) =>
    `  ${label.padEnd(30)} n=${x.n}  p50 ${x.p50.toFixed(1)} ms  p99 ${x.p99.toFixed(1)} ms  max ${x.max.toFixed(1)} ms  throughput ${x.rate.toFixed(1)} req/s`;
  console.log(line(name, s));
  console.log(line(bareName, r));
  console.log(`  ${''.padEnd(30)} p50 ratio ${(s.p50 / r.p50).toFixed(2)}×, p99 ratio ${(s.p99 / r.p99).toFixed(2)}×`);
  const per = (cpu: number[], n: number) =>
    cpu.map((c, i) => `${LAYOUT === 'separate' ? ['API', 'worker'][i === 0 ? 1 : 0] : 'platform'} ${(c / n).toFixed(1)} ms`).join(', ');
  console.log(`  ${''.padEnd(30)} CPU per request: ${per(phase.cpu, s.n)} (bare: ${per(bare.cpu, r.n)})`);
}

/** The open book_visit task of every enrolment, once its journey has created it. */
async function waitForTasks(db: Awaited<ReturnType<typeof openDatabase>>['db'], enrollmentIds: string[]): Promise<string[]> {
  const deadline = Date.now() + TASK_WAIT_MS;
  for (;;) {
    const rows = await db
      .selectFrom('tasks')
      .select('id')
      .where('step_id', '=', 'book_visit')
      .where('status', '=', 'open')
      .where('enrollment_id', 'in', enrollmentIds)
      .execute();
    if (rows.length === enrollmentIds.length) return rows.map((r) => r.id);
    if (Date.now() > deadline)
      throw new Error(`only ${rows.length} of ${enrollmentIds.length} journeys created their first task within ${TASK_WAIT_MS / 1000} s`);
    await new Promise((r) => setTimeout(r, 200));
  }
}

function post(base: string, url: string, key: string, body: unknown): Promise<Response> {
  return fetch(`${base}${url}`, {
    method: 'POST',
    headers: { authorization: `Bearer ${key}`, 'content-type': 'application/json' },
    body: JSON.stringify(body),
  });
}

await main();
