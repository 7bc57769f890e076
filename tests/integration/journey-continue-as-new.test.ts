import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { listOutboxMessages } from '../../db/repositories/outbox.ts';
import type { JourneyInput } from '../../workflows/journey-definitions.ts';
import { insertEnrollment } from '../support/enrollments.ts';
import { compilePathway, RecordingChannel, useTimeSkippingJourneys } from '../support/journey-harness.ts';

const fixture = fileURLToPath(new URL('../fixtures/pathways/daily-reminders.yaml', import.meta.url));

describe('continue-as-new keeps a journey going with its small state', () => {
  const t = useTimeSkippingJourneys([new RecordingChannel('wechat'), new RecordingChannel('sms')]);

  it('runs the whole program over several runs, sending every message once', async () => {
    const enrollmentId = await insertEnrollment(t.database.db);
    const now = await t.env.currentTimeMs();
    const input: JourneyInput = {
      enrollmentId,
      patientRef: 'P-CAN',
      tenant: 'test',
      butlerId: 'butler-1',
      pathway: compilePathway(fixture),
      journey: { enrolledAt: new Date(now).toISOString(), anchors: { start: new Date(now + 8 * 3_600_000).toISOString().slice(0, 10) } },
      searchAttributes: false,
      // A tiny budget forces a new run every few days of this 30-day program.
      replayBudget: { events: 60 },
    };
    const outcome = await t.env.client.workflow.execute('journeyWorkflow', {
      taskQueue: t.taskQueue,
      workflowId: `journey-can-${enrollmentId}`,
      args: [input],
    });
    expect(outcome.status).toBe('completed');
    expect(outcome.runs).toBeGreaterThan(3);

    const outbox = await listOutboxMessages(t.database.db, enrollmentId);
    expect(outbox).toHaveLength(40);
    expect(new Set(outbox.map((m) => m.idempotency_key)).size).toBe(40);
    const tasks = await t.database.db
      .selectFrom('tasks')
      .select(['occurrence_key', 'status'])
      .where('enrollment_id', '=', enrollmentId)
      .orderBy('occurrence_key')
      .execute();
    expect(tasks).toEqual([
      { occurrence_key: 'weekly_check#1', status: 'cancelled' },
      { occurrence_key: 'weekly_check#2', status: 'cancelled' },
      { occurrence_key: 'weekly_check#3', status: 'cancelled' },
    ]);
    const escalations = await t.database.db
      .selectFrom('journey_events')
      .select('event_key')
      .where('enrollment_id', '=', enrollmentId)
      .where('type', '=', 'escalate')
      .execute();
    expect(escalations.map((e) => e.event_key).sort()).toEqual([
      'escalate:weekly_check#1/escalate-1',
      'escalate:weekly_check#2/escalate-1',
      'escalate:weekly_check#3/escalate-1',
    ]);

    // Each new run is on the timeline with the reason: the run's history reached its budget.
    const continued = await t.database.db
      .selectFrom('journey_events')
      .select(['event_key', 'details'])
      .where('enrollment_id', '=', enrollmentId)
      .where('type', '=', 'continued-as-new')
      .orderBy('at')
      .execute();
    expect(continued.map((e) => e.event_key)).toEqual(Array.from({ length: outcome.runs - 1 }, (_, i) => `continued-as-new:run-${i + 1}`));
    for (const e of continued) expect(e.details).toMatchObject({ reason: 'history-events', events: expect.any(Number) });
    for (const e of continued) expect((e.details as { events: number }).events).toBeGreaterThanOrEqual(60);
  });
});
