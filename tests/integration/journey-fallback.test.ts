/**
 * A preference order of channels (issue 14, item 4) on the time-skipping server, with real
 * activities and PostgreSQL: WeChat first, SMS when WeChat fails for good or no receipt says
 * delivered within 2 hours, a call task for the butler last.
 */
import { fileURLToPath } from 'node:url';
import type { WorkflowHandle } from '@temporalio/client';
import { describe, expect, it } from 'vitest';
import { PermanentDeliveryError, type Channel, type OutboundMessage } from '../../channels/channel.ts';
import { listJourneyEvents } from '../../db/repositories/journey-events.ts';
import { listOutboxMessages, recordDeliveryReceipt } from '../../db/repositories/outbox.ts';
import { recordEventUpdate } from '../../workflows/journey-definitions.ts';
import { compilePathway, enrol, eventually, useTimeSkippingJourneys } from '../support/journey-harness.ts';

const fixture = fileURLToPath(new URL('../fixtures/pathways/fallback.yaml', import.meta.url));
const MINUTE = 60_000;

/** A provider that reports delivery (its receipts reach the platform), and refuses every message while told to (an unfollowed account). */
class ReportingChannel implements Channel {
  readonly reportsDelivery = true;
  readonly delivered: OutboundMessage[] = [];
  refusing = new Set<string>();
  constructor(readonly name: string) {}
  async deliver(message: OutboundMessage) {
    if (this.refusing.has(message.patientRef)) throw new PermanentDeliveryError('the user has not followed the account', { providerCode: '43004' });
    this.delivered.push(message);
    return { providerMessageId: `${this.name}-${this.delivered.length}` };
  }
}

describe('a preference order of channels (time-skipping server, real activities and PostgreSQL)', () => {
  const wechat = new ReportingChannel('wechat');
  const sms = new ReportingChannel('sms');
  const t = useTimeSkippingJourneys([wechat, sms]);
  const pathway = compilePathway(fixture);

  const start = async () => {
    const journey = await enrol(t.env, t.database, t.taskQueue, pathway, { start: new Date(await t.env.currentTimeMs()).toISOString() });
    return { ...journey, patientRef: `P-${journey.enrollmentId.slice(0, 8)}` };
  };
  const outbox = async (enrollmentId: string) => (await listOutboxMessages(t.database.db, enrollmentId)).map((m) => ({ channel: m.channel, status: m.status }));
  const tasksOf = (enrollmentId: string) => t.database.db.selectFrom('tasks').selectAll().where('enrollment_id', '=', enrollmentId).execute();
  const fallbacks = async (enrollmentId: string) =>
    (await listJourneyEvents(t.database.db, enrollmentId)).filter((e) => e.type === 'fallback').map((e) => e.details);
  /** Waits until the journey has asked for its receipts `times` times (the channel's time came and was acted on). */
  const receiptsAsked = (handle: WorkflowHandle, times: number) =>
    eventually(async () => {
      const history = await handle.fetchHistory();
      const scheduled = new Map<string, string>();
      let completed = 0;
      for (const e of history.events ?? []) {
        const name = e.activityTaskScheduledEventAttributes?.activityType?.name;
        if (name) scheduled.set(String(e.eventId), name);
        const done = e.activityTaskCompletedEventAttributes?.scheduledEventId;
        if (done && scheduled.get(String(done)) === 'deliveryOutcomes') completed++;
      }
      expect(completed).toBeGreaterThanOrEqual(times);
    });

  it('moves to SMS at once when WeChat refuses, and to a call task when no SMS receipt comes within 2 hours', async () => {
    const { enrollmentId, handle, patientRef } = await start();
    wechat.refusing.add(patientRef);
    await eventually(async () =>
      expect(await outbox(enrollmentId)).toEqual([
        { channel: 'wechat', status: 'failed' },
        { channel: 'sms', status: 'sent' },
      ]),
    );
    // WeChat's refusal is the order's business, not a person's: no hand-over task; the row says who took over.
    expect(await tasksOf(enrollmentId)).toEqual([]);
    expect((await listOutboxMessages(t.database.db, enrollmentId)).map((m) => m.passed_to)).toEqual(['sms', null]);
    expect(sms.delivered.filter((m) => m.patientRef === patientRef)).toHaveLength(1);

    await t.env.sleep(119 * MINUTE);
    expect(await tasksOf(enrollmentId)).toEqual([]);
    await t.env.sleep(2 * MINUTE);
    const [call] = await eventually(async () => {
      const tasks = await tasksOf(enrollmentId);
      expect(tasks).toHaveLength(1);
      return tasks;
    });
    expect(call).toMatchObject({ occurrence_key: 'welcome#1/call', call: true, role: 'butler', assignee: 'butler-1', status: 'open', urgent: true });
    expect(call!.title).toBe('电话联系: 欢迎（微信、短信未送达）');
    expect(await fallbacks(enrollmentId)).toEqual([
      { from: 'wechat', reason: 'failed', to: 'sms' },
      { from: 'sms', reason: 'unconfirmed', to: 'phone' },
    ]);
    await handle.terminate('test over');
  });

  it('sends nothing more once WeChat reports the message delivered', async () => {
    const { enrollmentId, handle } = await start();
    const [sent] = await eventually(async () => {
      const rows = await listOutboxMessages(t.database.db, enrollmentId);
      expect(rows.map((m) => [m.channel, m.status])).toEqual([['wechat', 'sent']]);
      return rows;
    });
    const recorded = await recordDeliveryReceipt(t.database.db, {
      channel: 'wechat',
      providerMessageId: sent!.provider_message_id!,
      delivery: 'delivered',
      code: null,
      at: new Date(),
    });
    expect(recorded).toBe(true);
    await t.env.sleep(121 * MINUTE);
    await receiptsAsked(handle, 1);
    expect(await outbox(enrollmentId)).toEqual([{ channel: 'wechat', status: 'sent' }]);
    expect(await fallbacks(enrollmentId)).toEqual([]);
    expect(await tasksOf(enrollmentId)).toEqual([]);
    await handle.terminate('test over');
  });

  it('moves to SMS when the WeChat receipt says undelivered', async () => {
    const { enrollmentId, handle } = await start();
    const [sent] = await eventually(async () => {
      const rows = await listOutboxMessages(t.database.db, enrollmentId);
      expect(rows.map((m) => m.status)).toEqual(['sent']);
      return rows;
    });
    await recordDeliveryReceipt(t.database.db, {
      channel: 'wechat',
      providerMessageId: sent!.provider_message_id!,
      delivery: 'undelivered',
      code: 'user_block',
      at: new Date(),
    });
    await t.env.sleep(121 * MINUTE);
    await eventually(async () =>
      expect(await outbox(enrollmentId)).toEqual([
        { channel: 'wechat', status: 'sent' },
        { channel: 'sms', status: 'sent' },
      ]),
    );
    expect(await fallbacks(enrollmentId)).toEqual([{ from: 'wechat', reason: 'undelivered', to: 'sms' }]);
    await handle.terminate('test over');
  });

  it('sends no next channel after the journey ended by an event', async () => {
    const { enrollmentId, handle } = await start();
    await eventually(async () => expect(await outbox(enrollmentId)).toEqual([{ channel: 'wechat', status: 'sent' }]));
    await handle.executeUpdate(recordEventUpdate, { args: [{ name: 'withdrawn', id: 'w-1', by: 'coordinator-1' }] });
    const outcome = await handle.result();
    expect(outcome.status).toBe('ended');
    expect(await fallbacks(enrollmentId)).toEqual([{ from: 'wechat', reason: 'unconfirmed', dropped: 'journey-ended' }]);
    expect(await outbox(enrollmentId)).toEqual([{ channel: 'wechat', status: 'sent' }]);
  });
});
