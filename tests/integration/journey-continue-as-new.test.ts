import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import type { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { migrateToLatest } from '../../db/migrate.ts';
import { listOutboxMessages } from '../../db/repositories/outbox.ts';
import type { JourneyInput } from '../../workflows/journey-definitions.ts';
import { createThrowawayDatabase, type ThrowawayDatabase } from '../support/database.ts';
import { insertEnrollment } from '../support/enrollments.ts';
import { compilePathway, journeyWorker, RecordingChannel } from '../support/journey-harness.ts';

const fixture = fileURLToPath(new URL('../fixtures/pathways/daily-reminders.yaml', import.meta.url));

describe('continue-as-new keeps a journey going with its small state', () => {
  let env: TestWorkflowEnvironment;
  let database: ThrowawayDatabase;
  let worker: Worker;
  let running: Promise<void>;
  const taskQueue = `can-${randomUUID()}`;

  beforeAll(async () => {
    [env, database] = await Promise.all([
      TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path: inject('testServerPath') } } }),
      createThrowawayDatabase(),
    ]);
    await migrateToLatest(database.db);
    worker = await journeyWorker(env, database, taskQueue, [new RecordingChannel('wechat'), new RecordingChannel('sms')]);
    running = worker.run();
  });
  afterAll(async () => {
    worker?.shutdown();
    await running;
    await env?.teardown();
    await database?.drop();
  });

  it('runs the whole program over several runs, sending every message once', async () => {
    const enrollmentId = await insertEnrollment(database.db);
    const now = await env.currentTimeMs();
    const input: JourneyInput = {
      enrollmentId,
      patientRef: 'P-CAN',
      tenant: 'test',
      butlerId: 'butler-1',
      pathway: compilePathway(fixture),
      journey: { enrolledAt: new Date(now).toISOString(), anchors: { start: new Date(now + 8 * 3_600_000).toISOString().slice(0, 10) } },
      searchAttributes: false,
      // A tiny limit forces a new run every few days of this 30-day program.
      historyLimit: 60,
    };
    const outcome = await env.client.workflow.execute('journeyWorkflow', { taskQueue, workflowId: `journey-can-${enrollmentId}`, args: [input] });
    expect(outcome.status).toBe('completed');
    expect(outcome.runs).toBeGreaterThan(3);

    const outbox = await listOutboxMessages(database.db, enrollmentId);
    expect(outbox).toHaveLength(40);
    expect(new Set(outbox.map((m) => m.idempotency_key)).size).toBe(40);
    const tasks = await database.db.selectFrom('tasks').select(['occurrence_key', 'status']).where('enrollment_id', '=', enrollmentId).orderBy('occurrence_key').execute();
    expect(tasks).toEqual([
      { occurrence_key: 'weekly_check#1', status: 'cancelled' },
      { occurrence_key: 'weekly_check#2', status: 'cancelled' },
      { occurrence_key: 'weekly_check#3', status: 'cancelled' },
    ]);
    const escalations = await database.db.selectFrom('journey_events').select('event_key').where('enrollment_id', '=', enrollmentId).where('type', '=', 'escalate').execute();
    expect(escalations.map((e) => e.event_key).sort()).toEqual(['escalate:weekly_check#1/escalate-1', 'escalate:weekly_check#2/escalate-1', 'escalate:weekly_check#3/escalate-1']);
  });
});
