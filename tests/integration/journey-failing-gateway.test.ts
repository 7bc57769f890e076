/**
 * A failing gateway never holds up the journey's other actions (issue 12): while every WeChat
 * delivery fails and is retried, an emergency recorded by the butler still raises its urgent
 * escalation task at once (real dev server, real PostgreSQL).
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { listOutboxMessages } from '../../db/repositories/outbox.ts';
import { recordEventUpdate } from '../../workflows/journey-definitions.ts';
import { compilePathway, enrolOnDevServer, eventually, FailingChannel, useDevServerJourneys } from '../support/journey-harness.ts';

const fixture = fileURLToPath(new URL('../fixtures/pathways/failing-gateway.yaml', import.meta.url));

describe('a failing gateway holds up nothing else (real dev server)', () => {
  const wechat = new FailingChannel('wechat');
  const t = useDevServerJourneys([wechat]);

  it('raises the urgent escalation of an emergency at once while WeChat deliveries fail and are retried', async () => {
    const { client, database } = t;
    const { enrollmentId, workflowId } = await enrolOnDevServer(t, compilePathway(fixture), { start: new Date().toISOString() });
    // The welcome is being retried against the failing gateway.
    await eventually(async () => {
      expect(wechat.attempts).toBeGreaterThanOrEqual(1);
      const [welcome] = await listOutboxMessages(database.db, enrollmentId);
      expect(welcome).toMatchObject({ step_id: 'welcome', status: 'pending' });
    });

    const recorded = Date.now();
    await client.workflow.getHandle(workflowId).executeUpdate(recordEventUpdate, { args: [{ name: 'emergency', id: 'call-1', by: 'butler-1' }] });
    const task = await eventually(async () => {
      const found = await database.db
        .selectFrom('tasks')
        .selectAll()
        .where('enrollment_id', '=', enrollmentId)
        .where('step_id', '=', 'emergency_call')
        .executeTakeFirst();
      expect(found).toBeDefined();
      return found!;
    }, 5_000);
    expect(task).toMatchObject({ role: 'on_call', urgent: true, status: 'open' });
    // Created within seconds of the event, not after the welcome's retries (about an hour).
    expect(task.created_at.getTime() - recorded).toBeLessThan(3_000);
    const [welcome] = await listOutboxMessages(database.db, enrollmentId);
    expect(welcome!.status).toBe('pending');
    await client.workflow.getHandle(workflowId).terminate('test over');
  });
});
