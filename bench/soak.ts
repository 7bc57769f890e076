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
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { parseArgs } from 'node:util';
import { Client, Connection } from '@temporalio/client';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { Database } from '../db/database.ts';
import { parseMessageKey, stepIdOfKey } from '../pathway/model/keys.ts';
import { stderrProgress } from '../infra/progress.ts';
import { startLocalDeployment, type ManagedProcess, type RunningDeployment } from '../infra/deployment/local-deployment.ts';

const { values } = parseArgs({
  options: {
    journeys: { type: 'string', default: '30' },
    minutes: { type: 'string', default: '6' },
    kills: { type: 'string', default: '100' },
    'outage-seconds': { type: 'string', default: '90' },
    burst: { type: 'string', default: '1000' },
    urgent: { type: 'string', default: '20' },
    'urgent-within': { type: 'string', default: '10' },
  },
});
const JOURNEYS = Number(values.journeys);
const FAULT_MS = Number(values.minutes) * 60_000;
const KILLS = Number(values.kills);
const OUTAGE_MS = Number(values['outage-seconds']) * 1_000;
const BURST = Number(values.burst);
const URGENT = Number(values.urgent);
const URGENT_WITHIN_MS = Number(values['urgent-within']) * 1_000;
/** Messages the soak pathway plans for a journey: 5 reminders × 2 channels. */
const SOAK_MESSAGES = 5 * 2;
/** Messages each journey plans: SOAK_MESSAGES; the burst's 3, and 1 more after an emergency. */
const expectedMessages = new Map<string, number>();
const RUN = Date.now().toString(36);
const log = (line: string) => process.stderr.write(`soak: ${line}\n`);

const started = Date.now();
const deployment = await startLocalDeployment(
  {
    workers: 2,
    apis: 2,
    apiPort: 0,
    stateDir: path.resolve('.data', 'soak'),
    pathwaysDir: path.resolve('tests/fixtures/pathways'),
    // The burst enrols a thousand patients in a minute, as a hospital's batch import does.
    env: { CAREPATH_RATE_LIMIT_PER_MINUTE: '100000' },
  },
  stderrProgress,
);
const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: deployment.databaseUrl, max: 2 }) }) });
const faults = { kills: 0, restarts: 0 };
const slow = { health: [] as number[], enrol: [] as number[] };

try {
  const coordinator = await apiKey(deployment, 'coordinator');
  const enrolled: string[] = [];
  const workflowIds = new Map<string, string>();
  const enrolling = enrolAll(deployment, coordinator, enrolled, workflowIds);
  const stopCompleting = completeTasks(deployment, coordinator);
  const deliveredBefore = (await gatewayStats(deployment)).delivered;
  const faultsStarted = Date.now();
  await runFaults(deployment, faults, (slow) => slowPhase(deployment, coordinator, slow, enrolled, workflowIds));
  await enrolling;
  const faultRate = ((await gatewayStats(deployment)).delivered - deliveredBefore) / ((Date.now() - faultsStarted) / 1000);
  log(`faults over after ${seconds(started)} s: ${faultRate.toFixed(1)} messages/s delivered during the fault phase`);
  const burst = BURST > 0 ? await morningBurst(deployment, coordinator, enrolled, workflowIds) : null;
  log(`waiting for the ${enrolled.length} journeys to finish`);
  // A message planned during the outage may still be in its retry schedule (up to ~21 min).
  const stuck = await waitForJourneys(
    deployment,
    enrolled.map((id) => workflowIds.get(id)!),
    25 * 60_000,
  );
  stopCompleting();
  const result = await check(deployment, db, enrolled);
  log(
    `during the slow gateway: GET /health p99 ${percentiles(slow.health).p99} ms (${slow.health.length} calls), enrolment p99 ${percentiles(slow.enrol).p99} ms (${slow.enrol.length})`,
  );
  log(`gateway re-deliveries of an already delivered key (deduplicated by the gateway): ${result.redelivered}; handed to a person: ${result.handedOver}`);
  let late = 0;
  if (burst) {
    const f = await burstFigures(deployment, db, burst);
    log(
      `morning burst: ${f.routine} routine messages due in one minute went out in ${f.routineSeconds.toFixed(0)} s (${f.routinePerSecond.toFixed(1)}/s); ` +
        `${burst.events.length} emergencies: answered p50 ${f.answered.p50} ms p99 ${f.answered.p99} ms, call task p50 ${f.call.p50} ms p99 ${f.call.p99} ms, ` +
        `urgent notice delivered p50 ${f.notice.p50} ms p99 ${f.notice.p99} ms`,
    );
    const c = burst.cpu;
    log(
      `morning burst CPU (from the burst minute until its ${BURST * 3} routine messages were delivered, ${c.seconds.toFixed(0)} s): ` +
        `workers ${c.workers.toFixed(1)} s, Temporal server ${c.temporal.toFixed(1)} s, PostgreSQL ${c.postgres.toFixed(1)} s, API ${c.apis.toFixed(1)} s, gateway ${c.gateway.toFixed(1)} s; ` +
        `${((1000 * (c.workers + c.temporal + c.postgres + c.apis + c.gateway)) / BURST).toFixed(0)} ms of CPU per journey's round of 3 messages, all parts`,
    );
    late = [f.call.max, f.notice.max].filter((ms) => ms > URGENT_WITHIN_MS).length;
    if (late) log(`morning burst: an urgent action took longer than ${URGENT_WITHIN_MS / 1000} s`);
  }
  console.log(
    `journeys ${enrolled.length}, kills ${faults.kills}, restarts ${faults.restarts}, messages ${result.messages}, lost ${result.lost}, duplicated ${result.duplicated}, stuck ${stuck}`,
  );
  process.exitCode = result.lost || result.duplicated || stuck || late || enrolled.length < JOURNEYS + (burst ? BURST + URGENT : 0) ? 1 : 0;
} finally {
  await db.destroy();
  await deployment.stop();
}

/** A fresh API key of a role, made with the deployment's bootstrap admin key. */
async function apiKey(d: RunningDeployment, role: string): Promise<string> {
  const answer = await api(d, 'POST', '/v1/api-clients', d.adminKey, { name: `soak ${role}`, role });
  return (answer.body as { key: string }).key;
}

async function api(d: RunningDeployment, method: string, route: string, key: string, body?: unknown, headers: Record<string, string> = {}, timeoutMs = 20_000) {
  const res = await fetch(`${d.apiUrl}${route}`, {
    method,
    headers: { authorization: `Bearer ${key}`, ...(body ? { 'content-type': 'application/json' } : {}), ...headers },
    ...(body ? { body: JSON.stringify(body) } : {}),
    signal: AbortSignal.timeout(timeoutMs),
  });
  const text = await res.text();
  return { status: res.status, body: text ? (JSON.parse(text) as unknown) : null };
}

/** Enrols the soak journeys spread over the first half of the fault phase. */
async function enrolAll(d: RunningDeployment, key: string, enrolled: string[], workflowIds: Map<string, string>): Promise<void> {
  for (let i = 0; i < JOURNEYS; i++) {
    const id = await enrol(d, key, i, 'test.soak', { start: new Date().toISOString() }, workflowIds);
    enrolled.push(id);
    expectedMessages.set(id, SOAK_MESSAGES);
    await sleep(FAULT_MS / 2 / JOURNEYS);
  }
}

/** Enrols patient number `i` of this run in `program`, retrying through faults (the same Idempotency-Key); returns the enrolment id. */
async function enrol(d: RunningDeployment, key: string, i: number, program: string, anchors: Record<string, string>, workflowIds: Map<string, string>) {
  const serial = String((parseInt(RUN, 36) % 100) * 1_000_000 + i).padStart(8, '0');
  const body = {
    patient: {
      name: `压测${i}`,
      phone: `139${serial}`,
      idType: 'resident-id',
      idNumber: `110101${serial.padStart(11, '0')}X`,
      gender: 'female',
      wechatOpenId: `oSOAK_${RUN}_${serial}`,
      appUserId: `soak-${serial}`,
    },
    consent: {
      scope: ['care-management', 'data-processing', 'wechat-contact', 'sms-contact', 'app-contact'],
      givenAt: new Date().toISOString(),
      recordedBy: 'soak',
      method: 'written',
    },
    program,
    anchors,
    butlerId: 'b1',
  };
  for (let attempt = 0; ; attempt++) {
    try {
      const answer = await api(d, 'POST', '/v1/enrollments', key, body, { 'idempotency-key': `soak-${RUN}-${i}` });
      if (answer.status === 201 || answer.status === 200) {
        const { id, workflowId } = answer.body as { id: string; workflowId: string };
        workflowIds.set(id, workflowId);
        return id;
      }
      if (answer.status < 500 && answer.status !== 429) throw new Error(`enrolment ${i}: ${answer.status} ${JSON.stringify(answer.body)}`);
    } catch (err) {
      if (attempt > 60) throw err;
    }
    await sleep(1_000);
  }
}

/**
 * The morning burst: BURST journeys whose routine reminder (WeChat, SMS, app) falls due in the
 * same minute, and during that minute an emergency for each of URGENT other journeys, one every
 * few seconds. Measures how long the routine messages take to go out and how soon each urgent
 * action does: the call task in the on-duty worklist, and the urgent notice at the gateway.
 */
async function morningBurst(d: RunningDeployment, key: string, enrolled: string[], workflowIds: Map<string, string>) {
  const t0 = Date.now();
  // Enrolment runs at 10–40 a second here: the burst minute starts once all are in.
  const due = new Date(Math.ceil((t0 + 30_000 + BURST * 100) / 60_000) * 60_000);
  // The emergency journeys' own reminder comes a minute after the burst's: not part of it.
  const urgentDue = new Date(due.getTime() + 60_000);
  log(`morning burst: enrolling ${BURST} journeys with reminders due at ${due.toISOString()} and ${URGENT} for emergencies`);
  const burstIds: string[] = [];
  const urgentIds: string[] = [];
  const queue = Array.from({ length: BURST + URGENT }, (_, n) => n);
  await Promise.all(
    Array.from({ length: 8 }, async () => {
      for (let n = queue.shift(); n !== undefined; n = queue.shift()) {
        const urgent = n >= BURST;
        const id = await enrol(d, key, JOURNEYS + n, 'test.burst', { due: (urgent ? urgentDue : due).toISOString() }, workflowIds);
        (urgent ? urgentIds : burstIds).push(id);
        expectedMessages.set(id, urgent ? 4 : 3);
      }
    }),
  );
  enrolled.push(...burstIds, ...urgentIds);
  log(`morning burst: enrolled in ${seconds(t0)} s; ${Math.round((due.getTime() - Date.now()) / 1000)} s to the burst minute`);
  if (Date.now() > due.getTime()) throw new Error('morning burst: enrolment ran past the burst minute');
  await sleep(due.getTime() - Date.now());
  const cpu = burstCpu(d, BURST * 3);
  const events: { id: string; at: number; answeredMs: number }[] = [];
  for (const id of urgentIds) {
    const at = Date.now();
    // A slow answer is what is measured here: it may take long, but it must come.
    const answer = await api(d, 'POST', `/v1/enrollments/${id}/events`, key, { name: 'emergency', id: `soak-emergency-${id}` }, {}, 120_000);
    if (answer.status !== 200) throw new Error(`emergency for ${id}: ${answer.status} ${JSON.stringify(answer.body)}`);
    events.push({ id, at, answeredMs: Date.now() - at });
    await sleep(Math.max(0, 50_000 / URGENT - (Date.now() - at)));
  }
  return { due, burstIds, events, cpu: await cpu };
}

/** What the burst measured, from the gateway's first delivery of each key and the worklist. */
async function burstFigures(d: RunningDeployment, db: Kysely<Database>, burst: Awaited<ReturnType<typeof morningBurst>>) {
  const delivered = await deliveredKeys(d);
  const firstAt = (enrollmentId: string, stepId: string) =>
    delivered.filter((k) => k.enrollmentId === enrollmentId && k.stepId === stepId).map((k) => Date.parse(k.at));
  const routine = burst.burstIds.flatMap((id) => firstAt(id, 'morning_reminder')).sort((a, b) => a - b);
  const calls = await db
    .selectFrom('tasks')
    .select(['enrollment_id', 'created_at'])
    .where('call', '=', true)
    .where(
      'enrollment_id',
      'in',
      burst.events.map((e) => e.id),
    )
    .execute();
  const callMs = burst.events.map((e) => {
    const row = calls.find((c) => c.enrollment_id === e.id);
    return row ? new Date(row.created_at).getTime() - e.at : Infinity;
  });
  const noticeMs = burst.events.map((e) => (firstAt(e.id, 'emergency_notice')[0] ?? Infinity) - e.at);
  const last = routine.at(-1) ?? burst.due.getTime();
  return {
    routine: routine.length,
    routineSeconds: (last - burst.due.getTime()) / 1000,
    routinePerSecond: routine.length / Math.max(1, (last - burst.due.getTime()) / 1000),
    answered: percentiles(burst.events.map((e) => e.answeredMs)),
    call: percentiles(callMs),
    notice: percentiles(noticeMs),
  };
}

/**
 * CPU seconds each part of the deployment used from now until the gateway has delivered `messages`
 * more (the burst's routine messages; the emergencies' few are in it too). PostgreSQL: every
 * `postgres` process of the machine (Temporal's and the application's databases share the cluster).
 */
async function burstCpu(d: RunningDeployment, messages: number) {
  const parts = () => ({
    workers: d.workers.reduce((sum, w) => sum + treeCpu(w.child?.pid), 0),
    apis: d.apis.reduce((sum, a) => sum + treeCpu(a.child?.pid), 0),
    temporal: treeCpu(d.temporal.child?.pid),
    gateway: treeCpu(d.gateway.child?.pid),
    postgres: processes()
      .filter((p) => p.comm === 'postgres')
      .reduce((sum, p) => sum + p.cpu, 0),
  });
  const t0 = Date.now();
  const before = parts();
  const target = (await gatewayStats(d)).delivered + messages;
  while ((await gatewayStats(d)).delivered < target && Date.now() - t0 < 10 * 60_000) await sleep(500);
  const after = parts();
  return {
    seconds: (Date.now() - t0) / 1000,
    workers: after.workers - before.workers,
    apis: after.apis - before.apis,
    temporal: after.temporal - before.temporal,
    gateway: after.gateway - before.gateway,
    postgres: after.postgres - before.postgres,
  };
}

/** Every process of the machine with its parent and CPU seconds used (user + system), from /proc. */
function processes(): { pid: number; ppid: number; comm: string; cpu: number }[] {
  const ticks = 100; // USER_HZ on Linux
  return readdirSync('/proc')
    .filter((f) => /^\d+$/.test(f))
    .flatMap((pid) => {
      try {
        const stat = readFileSync(`/proc/${pid}/stat`, 'utf8');
        const comm = stat.slice(stat.indexOf('(') + 1, stat.lastIndexOf(')'));
        const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ');
        return [{ pid: Number(pid), ppid: Number(fields[1]), comm, cpu: (Number(fields[11]) + Number(fields[12])) / ticks }];
      } catch {
        return [];
      }
    });
}

/** CPU seconds of a process and its descendants. */
function treeCpu(pid: number | undefined): number {
  if (!pid) return 0;
  const all = processes();
  const tree = new Set([pid]);
  for (let grew = true; grew;) {
    grew = false;
    for (const p of all) {
      if (tree.has(p.pid) || !tree.has(p.ppid)) continue;
      tree.add(p.pid);
      grew = true;
    }
  }
  return all.filter((p) => tree.has(p.pid)).reduce((sum, p) => sum + p.cpu, 0);
}

function percentiles(ms: number[]): { p50: number; p99: number; max: number } {
  const sorted = [...ms].sort((a, b) => a - b);
  const at = (q: number) => sorted[Math.max(0, Math.ceil(sorted.length * q) - 1)] ?? 0;
  return { p50: at(0.5), p99: at(0.99), max: sorted.at(-1) ?? 0 };
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
async function runFaults(d: RunningDeployment, count: { kills: number; restarts: number }, slowGateway: (ms: number) => Promise<void>): Promise<void> {
  const t0 = Date.now();
  const at = (share: number) => t0 + FAULT_MS * share;
  const once: { when: number; name: string; run: () => Promise<void> }[] = [
    { when: at(0.2), name: 'SIGKILL and restart of api-1', run: () => restart(d.apis[0]!, count, 2_000) },
    { when: at(0.3), name: `gateway outage for ${OUTAGE_MS / 1000} s`, run: () => gatewayMode(d, 'fail', OUTAGE_MS) },
    { when: at(0.5), name: 'Temporal server SIGKILL and restart', run: () => restart(d.temporal, count, 3_000) },
    { when: Math.max(at(0.6), at(0.3) + OUTAGE_MS + 10_000), name: 'gateway answering in 2 s for 60 s', run: () => slowGateway(60_000) },
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

/** The gateway answers in 2 s for `ms`: meanwhile GET /health and an enrolment every 5 s are timed. */
async function slowPhase(d: RunningDeployment, key: string, ms: number, enrolled: string[], workflowIds: Map<string, string>): Promise<void> {
  const slowing = gatewayMode(d, 'slow', ms, 2_000);
  const until = Date.now() + ms;
  const enrolling = (async () => {
    for (let n = 0; Date.now() < until - 5_000; n++) {
      const t = Date.now();
      const id = await enrol(d, key, 900_000 + n, 'test.soak', { start: new Date().toISOString() }, workflowIds);
      slow.enrol.push(Date.now() - t);
      enrolled.push(id);
      expectedMessages.set(id, SOAK_MESSAGES);
      await sleep(5_000);
    }
  })();
  while (Date.now() < until) {
    const t = Date.now();
    await fetch(`${d.apiUrl}/health`).catch(() => null);
    slow.health.push(Date.now() - t);
    await sleep(250);
  }
  await Promise.all([slowing, enrolling]);
}

/** Every key the gateway delivered, parsed by the key module, with its first delivery time. */
async function deliveredKeys(d: RunningDeployment): Promise<{ key: string; enrollmentId: string | null; stepId: string | null; at: string }[]> {
  const delivered = (await (await fetch(`${d.gatewayUrl}/control/keys`)).json()) as Record<string, { at: string }>;
  return Object.entries(delivered).map(([key, { at }]) => {
    const parsed = parseMessageKey(key);
    return { key, enrollmentId: parsed?.enrollmentId ?? null, stepId: parsed ? stepIdOfKey(parsed.key) : null, at };
  });
}

async function gatewayStats(d: RunningDeployment): Promise<{ delivered: number; duplicates: number }> {
  return (await (await fetch(`${d.gatewayUrl}/control/stats`)).json()) as { delivered: number; duplicates: number };
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
  const delivered = new Set((await deliveredKeys(d)).filter((k) => k.enrollmentId !== null).map((k) => k.key));
  const stats = await gatewayStats(d);
  const known = new Set(rows.map((r) => r.idempotency_key));
  const handedOver = rows.filter((r) => r.status === 'failed');
  const perJourney = new Map<string, number>();
  for (const r of rows) if (r.status !== 'pending') perJourney.set(r.enrollment_id, (perJourney.get(r.enrollment_id) ?? 0) + 1);
  const lost = ids.reduce((sum, id) => sum + Math.max(0, (expectedMessages.get(id) ?? 0) - (perJourney.get(id) ?? 0)), 0);
  const journeys = new Set(ids);
  const soakKeys = [...delivered].filter((k) => journeys.has(parseMessageKey(k)!.enrollmentId));
  const duplicated = handedOver.filter((r) => delivered.has(r.idempotency_key)).length + soakKeys.filter((k) => !known.has(k)).length;
  return { messages: rows.length, lost, duplicated, handedOver: handedOver.length, redelivered: stats.duplicates };
}

function seconds(since: number): number {
  return Math.round((Date.now() - since) / 1000);
}

function sleep(ms: number): Promise<void> {
  return new Promise((r) => setTimeout(r, ms));
}
