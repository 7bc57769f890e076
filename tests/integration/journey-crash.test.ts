import { spawn, type ChildProcess } from 'node:child_process';
import { randomBytes, randomUUID } from 'node:crypto';
import { mkdtempSync } from 'node:fs';
import { createServer, type Server } from 'node:http';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { Client } from '@temporalio/client';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { migrateToLatest } from '../../db/migrate.ts';
import { listOutboxMessages } from '../../db/repositories/outbox.ts';
import { startJourney } from '../../enrollment/start-journey.ts';
import { freePort } from '../../infra/ports.ts';
import { encryptingDataConverter, parseKeyRing } from '../../temporal/codec/index.ts';
import { createThrowawayDatabase, type ThrowawayDatabase } from '../support/database.ts';
import { compilePathway, eventually } from '../support/journey-harness.ts';
import { consentToEveryChannel, identityKeyEnv, registerReachablePatient, vaultFor } from '../support/patients.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const fixtures = path.join(root, 'tests', 'fixtures', 'pathways');
const DAY = 86_400_000;

/** The messaging gateway: records every delivery request; can hold one open while the worker is killed. */
class Gateway {
  readonly received: string[] = [];
  /** Requests received and not yet answered. */
  readonly inFlight = new Set<string>();
  onRequest: ((key: string, count: number) => Promise<void>) | null = null;
  private server!: Server;
  url = '';

  async start(): Promise<void> {
    const port = await freePort();
    this.server = createServer((req, res) => {
      let body = '';
      req.on('data', (c) => (body += c));
      req.on('end', async () => {
        const key = String(req.headers['idempotency-key']);
        this.received.push(key);
        this.inFlight.add(key);
        await this.onRequest?.(key, this.received.length);
        this.inFlight.delete(key);
        res.writeHead(200, { 'content-type': 'application/json' }).end(JSON.stringify({ id: `gw-${this.received.length}` }));
      });
    });
    await new Promise<void>((r) => this.server.listen(port, '127.0.0.1', () => r()));
    this.url = `http://127.0.0.1:${port}/send`;
  }

  stop(): Promise<void> {
    this.server.closeAllConnections();
    return new Promise((r) => this.server.close(() => r()));
  }
}

describe('a worker process killed mid-journey and restarted', () => {
  let env: TestWorkflowEnvironment;
  let database: ThrowawayDatabase;
  const gateway = new Gateway();
  const keys = `k1:${randomBytes(32).toString('base64')}`;
  const identityKeys = identityKeyEnv();
  const taskQueue = `crash-${randomUUID()}`;
  let worker: ChildProcess | null = null;

  function startWorker(): Promise<ChildProcess> {
    const child = spawn(process.execPath, [path.join(root, 'bin', 'carepath.js'), 'worker'], {
      cwd: root,
      env: {
        PATH: process.env.PATH,
        HOME: process.env.HOME,
        TEMPORAL_ADDRESS: env.address,
        TEMPORAL_TASK_QUEUE: taskQueue,
        DATABASE_URL: database.url,
        CAREPATH_PATHWAYS_DIR: fixtures,
        CAREPATH_DATA_DIR: mkdtempSync(path.join(tmpdir(), 'carepath-crash-')),
        CAREPATH_CODEC_KEYS: keys,
        ...identityKeys,
        CAREPATH_CHANNEL_WECHAT_URL: gateway.url,
        CAREPATH_CHANNEL_SMS_URL: gateway.url,
        LOG_LEVEL: 'warn',
        // The Java test server never times out a sticky queue whose worker died, so the workers
        // here keep no workflow cache: every workflow task goes to the shared queue.
        CAREPATH_WORKER_MAX_CACHED_WORKFLOWS: '0',
      },
      stdio: ['ignore', 'pipe', 'pipe'],
    });
    let output = '';
    return new Promise((resolve, reject) => {
      const onData = (chunk: Buffer) => {
        output += chunk.toString();
        if (output.includes('worker is running')) resolve(child);
      };
      child.stdout!.on('data', onData);
      child.stderr!.on('data', onData);
      if (process.env.DEBUG_CRASH) child.stderr!.on('data', (c) => process.stderr.write(c));
      child.once('exit', (code) => reject(new Error(`worker exited (${code}) before it was ready:\n${output}`)));
    });
  }

  beforeAll(async () => {
    [env, database] = await Promise.all([
      TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path: inject('testServerPath') } } }),
      createThrowawayDatabase(),
    ]);
    await Promise.all([migrateToLatest(database.db), gateway.start()]);
  });
  afterAll(async () => {
    worker?.kill('SIGKILL');
    await gateway.stop();
    await env?.teardown();
    await database?.drop();
  });

  it('loses no message and sends none twice (counted in the outbox and at the gateway)', { timeout: 300_000 }, async () => {
    worker = await startWorker();
    const client = new Client({ connection: env.connection, dataConverter: encryptingDataConverter(parseKeyRing(keys, { source: 'test' })) });
    const pathway = compilePathway(path.join(fixtures, 'daily-reminders.yaml'));
    const now = await env.currentTimeMs();
    const start = new Date(now + 8 * 3_600_000).toISOString().slice(0, 10);
    const enrollmentId = randomUUID();
    // A patient the worker can reach on both channels: it resolves her recipients from her identity and consent.
    const patientRef = await registerReachablePatient(database.db, vaultFor(identityKeys));
    const { workflowId } = await startJourney(database.db, client, taskQueue, {
      enrollmentId,
      patientRef,
      tenant: 'test',
      butlerId: 'butler-1',
      pathway,
      anchors: { start },
      enrolledAt: new Date(now).toISOString(),
      searchAttributes: false,
    });
    await consentToEveryChannel(database.db, patientRef, enrollmentId);

    // The 7th delivery request: kill the worker while the gateway holds the request open, so the
    // message reached the gateway but the worker never learnt it.
    let killedAt: string | null = null;
    let inFlightAtKill: string[] = [];
    gateway.onRequest = async (key, count) => {
      if (count !== 7 || !worker) return;
      killedAt = key;
      // Both channels of one reminder go out together: the other may be in flight too.
      await new Promise((r) => setTimeout(r, 100));
      inFlightAtKill = [...gateway.inFlight];
      const dying = worker;
      worker = null;
      await new Promise<void>((r) => {
        dying.once('exit', () => r());
        dying.kill('SIGKILL');
      });
      worker = await startWorker();
    };

    for (let day = 1; day <= 6 && !killedAt; day++) {
      if (process.env.DEBUG_CRASH) console.log('day', day, gateway.received.length, (await listOutboxMessages(database.db, enrollmentId)).length);
      await env.sleep(DAY);
      await eventually(async () =>
        expect((await listOutboxMessages(database.db, enrollmentId)).filter((m) => m.status === 'sent').length).toBeGreaterThanOrEqual(
          Math.min(2 * (day - 1), 6),
        ),
      );
    }
    await eventually(async () => expect(killedAt).not.toBeNull(), 30_000);

    // The killed attempt times out (in real time: the test server does not skip time while an
    // activity is in flight) and is retried by the new worker.
    const handle = client.workflow.getHandle(workflowId);
    for (let day = 0; day < 32; day++) {
      if (process.env.DEBUG_CRASH)
        console.log(
          'after',
          day,
          gateway.received.length,
          (await listOutboxMessages(database.db, enrollmentId)).filter((m) => m.status === 'sent').length,
          new Date(await env.currentTimeMs()).toISOString(),
        );
      await env.sleep(DAY);
    }
    await eventually(async () => expect((await handle.describe()).status.name).toBe('COMPLETED'), 120_000);

    const outbox = await listOutboxMessages(database.db, enrollmentId);
    expect(outbox).toHaveLength(40);
    expect(new Set(outbox.map((m) => m.idempotency_key)).size).toBe(40);
    expect(outbox.every((m) => m.status === 'sent')).toBe(true);
    // Every message reached the gateway; the only repeats are the requests in flight at the kill,
    // each once and under the same idempotency key, so a gateway that honours the key delivers once.
    expect(new Set(gateway.received)).toEqual(new Set(outbox.map((m) => m.idempotency_key)));
    const repeats = gateway.received.filter((key, i) => gateway.received.indexOf(key) !== i);
    expect(repeats).toContain(killedAt);
    expect(new Set(repeats).size).toBe(repeats.length);
    for (const key of repeats) expect(inFlightAtKill).toContain(key);

    const tasks = await database.db.selectFrom('tasks').select(['occurrence_key']).where('enrollment_id', '=', enrollmentId).execute();
    expect(tasks.map((t) => t.occurrence_key).sort()).toEqual(['weekly_check#1', 'weekly_check#2', 'weekly_check#3']);
  });
});
