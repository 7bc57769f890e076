/**
 * `npm run soak [-- --journeys 30 --minutes 6 --kills 100 --outage-seconds 90]`: faults at scale on the
 * production-shaped local deployment (docs/operations.md). Journeys of the short soak pathway
 * (tests/fixtures/pathways/soak.yaml: 5 reminders on WeChat and SMS a minute apart, 2 butler
 * tasks with an SLA and an escalation, 7 minutes from a datetime anchor) are enrolled through the API while a
 * fault schedule SIGKILLs workers again and again (each restarted at once), kills and restarts an
 * API process, restarts the Temporal server, makes the gateway fail and then answer slowly, and
 * restarts PostgreSQL; butler completions are sent twice and newest first. Then it waits for
 * every journey to finish and checks the outbox against the gateway:
 *
 *   lost        a planned message neither delivered nor handed to a person (or still pending)
 *   duplicated  a message the gateway delivered that was also handed to a person, or one the
 *               outbox does not know; re-sent keys the gateway deduplicated are counted apart
 *   stuck       a journey whose workflow has not closed as completed by the end
 *
 * It prints `journeys N, kills K, restarts R, messages M, lost L, duplicated D, stuck S` last and
 * exits 1 unless all three are 0.
 */
import { execFileSync } from 'node:child_process';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Database } from '../db/database.ts';
import { stderrProgress } from '../infra/progress.ts';
import { startLocalDeployment, type ManagedProcess, type RunningDeployment } from '../infra/deployment/local-deployment.ts';

const { values } = parseArgs({
  options: {
    journeys: { type: 'string', default: '30' },
    minutes: { type: 'string', default: '6' },
    kills: { type: 'string', default: '100' },
    'outage-seconds': { type: 'string', default: '90' },
  },
});
const JOURNEYS = Number(values.journeys);
const FAULT_MS = Number(values.minutes) * 60_000;
const KILLS = Number(values.kills);
const OUTAGE_MS = Number(values['outage-seconds']) * 1_000;
const MESSAGES_PER_JOURNEY = 5 * 2;
const log = (line: string) => process.stderr.write(`soak: ${line}\n`);

const started = Date.now();
const deployment = await startLocalDeployment(
  { workers: 2, apis: 2, apiPort: 0, stateDir: path.resolve('.data', 'soak'), pathwaysDir: path.resolve('tests/fixtures/pathways') },
  stderrProgress,
);
const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: deployment.databaseUrl, max: 2 }) }) });
const faults = { kills: 0, restarts: 0 };
const latencies: number[] = [];

try {
  const coordinator = await apiKey(deployment, 'coordinator');
  const enrolled: string[] = [];
  const workflowIds = new Map<string, string>();
  const enrolling = enrolAll(deployment, coordinator, enrolled, workflowIds);
  const stopCompleting = completeTasks(deployment, coordinator);
  await runFaults(deployment, faults, latencies);
  await enrolling;
  log(`faults over after ${seconds(started)} s; waiting for the ${enrolled.length} journeys to finish`);
  // A message planned during the outage may still be in its retry schedule (up to ~21 min).
  const stuck = await waitForJourneys(
    deployment,
    enrolled.map((id) => workflowIds.get(id)!),
    25 * 60_000,
  );
  stopCompleting();
  const result = await check(deployment, db, enrolled);
  const p99 = latencies.sort((a, b) => a - b)[Math.max(0, Math.ceil(latencies.length * 0.99) - 1)] ?? 0;
  log(`GET /health during the slow gateway: p99 ${p99} ms over ${latencies.length} calls`);
  log(`gateway re-deliveries of an already delivered key (deduplicated by the gateway): ${result.redelivered}; handed to a person: ${result.handedOver}`);
  console.log(
    `journeys ${enrolled.length}, kills ${faults.kills}, restarts ${faults.restarts}, messages ${result.messages}, lost ${result.lost}, duplicated ${result.duplicated}, stuck ${stuck}`,
  );
  process.exitCode = result.lost || result.duplicated || stuck || enrolled.length < JOURNEYS ? 1 : 0;
} finally {
  await db.destroy();
  await deployment.stop();
}

/** A fresh API key of a role, made with the deployment's bootstrap admin key. */
async function apiKey(d: RunningDeployment, role: string): Promise<string> {
  const answer = await api(d, 'POST', '/v1/api-clients', d.adminKey, { name: `soak ${role}`, role });
  return (answer.body as { key: string }).key;
}

async function api(d: RunningDeployment, method: string, route: string, key: string, body?: unknown, headers: Record<string, string> = {}) {
  const res = await fetch(`${d.apiUrl}${route}`, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body ? { 'content-type': 'application/json' } : {}), ...headers },
    ...(body ? { body: JSON.stringify(body) } : {}),
    signal: AbortSignal.timeout(20_000),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as unknown) : null };
}

/** Enrols the journeys spread over the first half of the fault phase, retrying through faults (Idempotency-Key). */
async function enrolAll(d: RunningDeployment, key: string, enrolled: string[], workflowIds: Map<string, string>): Promise<void> {
  const run = Date.now().toString(36);
  for (let i = 0; i < JOURNEYS; i++) {
    const body = {
      patient: {
        name: `压测${i}`,
        phone: `139${String(Date.now() % 1e8).padStart(8, '0')}`,
        idType: 'resident-id',
        idNumber: idNumber(run, i),
        gender: 'female',
      },
      consent: { scope: ['care-management', 'data-processing', 'wechat-contact'], givenAt: new Date().toISOString(), recordedBy: 'soak', method: 'written' },
      program: 'test.soak',
      anchors: { start: new Date().toISOString() },
      butlerId: 'b1',
    };
    for (let attempt = 0; ; attempt++) {
      try {
        const answer = await api(d, 'POST', '/v1/enrollments', key, body, { 'idempotency-key': `soak-${run}-${i}` });
        if (answer.status === 201 || answer.status === 200) {
          const { id, workflowId } = answer.body as { id: string; workflowId: string };
          enrolled.push(id);
          workflowIds.set(id, workflowId);
          break;
        }
        if (answer.status < 500 && answer.status !== 429) throw new Error(`enrolment ${i}: ${answer.status} ${JSON.stringify(answer.body)}`);
      } catch (err) {
        if (attempt > 60) throw err;
      }
      await sleep(1_000);
    }
    await sleep(FAULT_MS / 2 / JOURNEYS);
  }
}

/** Completes open butler tasks every 15 s, newest first, each twice at once (a double tap). */
function completeTasks(d: RunningDeployment, key: string): () => void {
  let on = true;
  void (async () => {
    while (on) {
      try {
        const open = await api(d, 'GET', '/v1/tasks?status=open&role=butler&limit=200', key);
        const items = ((open.body as { items?: { id: string; kind: string }[] }).items ?? []).filter((t) => t.kind === 'task').reverse();
        for (const t of items) await Promise.all([0, 1].map(() => api(d, 'POST', `/v1/tasks/${t.id}/complete`, key, { data: {} }).catch(() => null)));
      } catch {
        // an API process is down: the next round tries again
      }
      await sleep(15_000);
    }
  })();
  return () => (on = false);
}

/** The fault schedule: worker kills all along; one of each other fault at its point in time. */
async function runFaults(d: RunningDeployment, count: { kills: number; restarts: number }, latencies: number[]): Promise<void> {
  const t0 = Date.now();
  const at = (share: number) => t0 + FAULT_MS * share;
  const once: { when: number; name: string; run: () => Promise<void> }[] = [
    { when: at(0.2), name: 'SIGKILL and restart of api-1', run: () => restart(d.apis[0]!, count, 2_000) },
    { when: at(0.3), name: `gateway outage for ${OUTAGE_MS / 1000} s`, run: () => gatewayMode(d, 'fail', OUTAGE_MS) },
    { when: at(0.5), name: 'Temporal server SIGKILL and restart', run: () => restart(d.temporal, count, 3_000) },
    { when: Math.max(at(0.6), at(0.3) + OUTAGE_MS + 10_000), name: 'gateway answering in 2 s for 60 s', run: () => slowGateway(d, latencies) },
    { when: at(0.8), name: 'PostgreSQL restart', run: () => restartPostgres(count) },
  ];
  const killEvery = FAULT_MS / KILLS;
  let nextKill = t0 + killEvery;
  while (Date.now() < t0 + FAULT_MS) {
    const due = once.filter((f) => f.when <= Date.now());
    for (const f of due) {
      once.splice(once.indexOf(f), 1);
      log(`${seconds(started)} s: ${f.name}`);
      void f.run().catch((err: Error) => log(`${f.name} failed: ${err.message}`));
    }
    if (Date.now() >= nextKill) {
      const worker = d.workers[count.kills % d.workers.length]!;
      await restart(worker, count, 0);
      nextKill += killEvery;
    }
    await sleep(200);
  }
}

async function restart(p: ManagedProcess, count: { kills: number; restarts: number }, downMs: number): Promise<void> {
  await p.kill('SIGKILL');
  count.kills++;
  if (downMs) await sleep(downMs);
  p.start();
  count.restarts++;
}

async function gatewayMode(d: RunningDeployment, mode: string, forMs: number, delayMs?: number): Promise<void> {
  const set = (m: string) => fetch(`${d.gatewayUrl}/control/mode`, { method: 'POST', body: JSON.stringify({ mode: m, ...(delayMs ? { delayMs } : {}) }) });
  await set(mode);
  await sleep(forMs);
  await set('ok');
}

async function slowGateway(d: RunningDeployment, latencies: number[]): Promise<void> {
  const slow = gatewayMode(d, 'slow', 60_000, 2_000);
  const until = Date.now() + 60_000;
  while (Date.now() < until) {
    const t = Date.now();
    await fetch(`${d.apiUrl}/health`).catch(() => null);
    latencies.push(Date.now() - t);
    await sleep(250);
  }
  await slow;
}

async function restartPostgres(count: { kills: number; restarts: number }): Promise<void> {
  const cluster = execFileSync('pg_lsclusters', ['--no-header'], { encoding: 'utf8' }).trim().split('\n')[0]!.split(/\s+/);
  execFileSync('pg_ctlcluster', [cluster[0]!, cluster[1]!, 'restart', '--mode', 'fast']);
  count.restarts++;
}

/**
 * Waits until every journey's workflow has closed as completed — a journey whose enrolment is
 * completed still waits for the messages it is delivering (retries included) before it closes —
 * and returns how many have not.
 */
async function waitForJourneys(d: RunningDeployment, workflowIds: string[], timeoutMs: number): Promise<number> {
  const deadline = Date.now() + timeoutMs;
  const connection = await Connection.connect({ address: d.temporalAddress });
  try {
    const client = new Client({ connection });
    let open = [...workflowIds];
    while (open.length && Date.now() < deadline) {
      const still: string[] = [];
      for (const workflowId of open) {
        const description = await client.workflow
          .getHandle(workflowId)
          .describe()
          .catch(() => null);
        if (description?.status.name !== 'COMPLETED') still.push(workflowId);
      }
      open = still;
      if (open.length) await sleep(5_000);
    }
    return open.length;
  } finally {
    await connection.close();
  }
}

async function check(d: RunningDeployment, db: Kysely<Database>, ids: string[]) {
  const rows = await db.selectFrom('outbox_messages').select(['idempotency_key', 'enrollment_id', 'status']).where('enrollment_id', 'in', ids).execute();
  const delivered = (await (await fetch(`${d.gatewayUrl}/control/keys`)).json()) as Record<string, unknown>;
  const stats = (await (await fetch(`${d.gatewayUrl}/control/stats`)).json()) as { duplicates: number };
  const known = new Set(rows.map((r) => r.idempotency_key));
  const handedOver = rows.filter((r) => r.status === 'failed');
  const perJourney = new Map<string, number>();
  for (const r of rows) if (r.status !== 'pending') perJourney.set(r.enrollment_id, (perJourney.get(r.enrollment_id) ?? 0) + 1);
  const lost = ids.reduce((sum, id) => sum + Math.max(0, MESSAGES_PER_JOURNEY - (perJourney.get(id) ?? 0)), 0);
  const soakKeys = Object.keys(delivered).filter((k) => ids.some((id) => k.startsWith(`${id}/`)));
  const duplicated = handedOver.filter((r) => r.idempotency_key in delivered).length + soakKeys.filter((k) => !known.has(k)).length;
  return { messages: rows.length, lost, duplicated, handedOver: handedOver.length, redelivered: stats.duplicates };
}

function idNumber(run: string, i: number): string {
  // 18 characters, unique per run and journey (the platform checks the shape, not a real registry).
  const digits = `${parseInt(run, 36)}${String(i).padStart(4, '0')}`.slice(-11).padStart(11, '0');
  return `110101${digits}0`.slice(0, 17) + 'X';
}

function seconds(since: number): number {
  return Math.round((Date.now() - since) / 1000);
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
