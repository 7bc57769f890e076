/**
 * An urgent message never waits behind a routine one (issue 12): due in the same round, the
 * urgent notice goes out on its own activity, ranked ahead of routine work in the task queue's
 * backlog, and is delivered while the routine reminder's channel fails and is retried (real dev
 * server, real PostgreSQL).
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { Worker } from '@temporalio/worker';
import { findEnrollment } from '../../db/repositories/enrollments.ts';
import { listOutboxMessages } from '../../db/repositories/outbox.ts';
import { updateJourney } from '../../enrollment/journey-updates.ts';
import { mayTriggerUrgentWork } from '../../pathway/model/urgent-inputs.ts';
import { recordEventUpdate } from '../../workflows/journey-definitions.ts';
import {
  compilePathway,
  enrolOnDevServer,
  eventually,
  FailingChannel,
  journeyBundle,
  RecordingChannel,
  useDevServerJourneys,
} from '../support/journey-harness.ts';

const fixture = fileURLToPath(new URL('../fixtures/pathways/urgent-delivery.yaml', import.meta.url));
const emergencyFixture = fileURLToPath(new URL('../fixtures/pathways/failing-gateway.yaml', import.meta.url));

describe('urgent delivery (real dev server)', () => {
  const sms = new FailingChannel('sms');
  const wechat = new RecordingChannel('wechat');
  const t = useDevServerJourneys([sms, wechat]);

  it('sends an urgent notice on its own, with priority, while the routine reminder due with it is retried', async () => {
    const { client, database } = t;
    const { enrollmentId, workflowId } = await enrolOnDevServer(t, compilePathway(fixture), { start: new Date().toISOString() });
    const outbox = await eventually(async () => {
      expect(sms.attempts).toBeGreaterThanOrEqual(1);
      expect(wechat.delivered).toHaveLength(1);
      const rows = await listOutboxMessages(database.db, enrollmentId);
      expect(rows.find((r) => r.step_id === 'urgent_notice')?.status).toBe('sent');
      return rows;
    });
    expect(outbox.find((r) => r.step_id === 'routine_reminder')?.status).toBe('pending');

    const history = await client.workflow.getHandle(workflowId).fetchHistory();
    const sends = (history.events ?? [])
      .map((e) => e.activityTaskScheduledEventAttributes)
      .filter((a) => a?.activityType?.name === 'sendMessages')
      .map((a) => a!.priority?.priorityKey || 0);
    // One activity per kind of message: the urgent one ranked 1 (of 5), the routine one left at the default (0: unset).
    expect(sends.sort((a, b) => a - b)).toEqual([0, 1]);
    await client.workflow.getHandle(workflowId).terminate('test over');
  });

  it('ranks the journey first while it handles an input that may set off urgent work, and back after it', async () => {
    const { client, database } = t;
    const pathway = compilePathway(emergencyFixture);
    expect(mayTriggerUrgentWork(pathway, { kind: 'event', name: 'emergency' })).toBe(true);
    const { enrollmentId, workflowId } = await enrolOnDevServer(t, pathway, { start: new Date().toISOString() });
    const enrollment = (await findEnrollment(database.db, enrollmentId))!;
    await updateJourney(client, enrollment, recordEventUpdate, { name: 'emergency', id: 'call-1', by: 'butler-1' }, { urgent: true });

    const handle = client.workflow.getHandle(workflowId);
    // Set back after the answer, without holding it up.
    const events = await eventually(async () => {
      const found = (await handle.fetchHistory()).events ?? [];
      const keys = found
        .filter((e) => e.workflowExecutionOptionsUpdatedEventAttributes)
        .map((e) => e.workflowExecutionOptionsUpdatedEventAttributes!.priority?.priorityKey || 0);
      expect(keys).toEqual([1, 3]);
      return found;
    });
    // The update was accepted between the two: ranked first while it was handled.
    const raised = events.findIndex((e) => e.workflowExecutionOptionsUpdatedEventAttributes);
    const accepted = events.findIndex((e) => e.workflowExecutionUpdateAcceptedEventAttributes);
    const lowered = events.findLastIndex((e) => e.workflowExecutionOptionsUpdatedEventAttributes);
    expect(raised).toBeLessThan(accepted);
    expect(accepted).toBeLessThan(lowered);
    expect((await handle.describe()).raw.workflowExecutionInfo?.priority?.priorityKey).toBe(3);
    // Today's workflow code replays a history with these events.
    await handle.terminate('test over');
    await Worker.runReplayHistory({ workflowBundle: await journeyBundle() }, await handle.fetchHistory(), workflowId);
  });
});
