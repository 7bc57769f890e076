import { MockActivityEnvironment } from '@temporalio/testing';
import { sql } from 'kysely';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../activities/index.ts';
import { messageKey, type SendMessageInput } from '../../activities/messages.ts';
import { PermanentDeliveryError, type Channel, type OutboundMessage } from '../../channels/channel.ts';
import { migrateToLatest } from '../../db/migrate.ts';
import { insertOutboxMessageOnce, listOutboxMessages } from '../../db/repositories/outbox.ts';
import { createThrowawayDatabase, type ThrowawayDatabase } from '../support/database.ts';
import { insertEnrollment } from '../support/enrollments.ts';
import { testLogger } from '../support/logger.ts';

/** A channel that records what it delivers and can be told to fail or to be slow. */
class RecordingChannel implements Channel {
  readonly delivered: OutboundMessage[] = [];
  failuresLeft = 0;
  permanent = false;
  /** Fail quoting the rendered text, as some gateways do in their error bodies. */
  echoes = false;
  delayMs = 0;
  constructor(readonly name: string) {}
  async deliver(message: OutboundMessage) {
    if (this.delayMs) await new Promise((r) => setTimeout(r, this.delayMs));
    if (this.failuresLeft > 0) {
      this.failuresLeft--;
      if (this.echoes) throw new Error(`rejected: ${message.text}`);
      throw this.permanent
        ? new PermanentDeliveryError('recipient rejected', { status: 400, providerCode: 'isv.MOBILE_NUMBER_ILLEGAL' })
        : new Error('gateway timeout');
    }
    this.delivered.push(message);
    return { providerMessageId: `p-${this.delivered.length}` };
  }
}

describe('message activities: the outbox on real PostgreSQL', () => {
  let database: ThrowawayDatabase;
  let sms: RecordingChannel;
  let activities: ReturnType<typeof createActivities>;
  const run = <T>(fn: () => Promise<T>): Promise<T> => new MockActivityEnvironment().run(fn) as Promise<T>;

  beforeAll(async () => {
    database = await createThrowawayDatabase();
    await migrateToLatest(database.db);
    sms = new RecordingChannel('sms');
    activities = createActivities({
      db: database.db,
      logger: testLogger,
      channels: new Map([['sms', sms]]),
      renderTemplate: (id, vars) => ({ text: `${id}: ${JSON.stringify(vars)}`, fields: {} }),
    });
  });
  afterAll(async () => {
    await database?.drop();
  });

  async function input(): Promise<SendMessageInput> {
    const enrollmentId = await insertEnrollment(database.db);
    return {
      enrollmentId,
      patientRef: 'P-TEST',
      stepId: 'notice',
      occurrenceKey: 'notice#1',
      channel: 'sms',
      audience: 'patient',
      templateId: 'visit-notice',
      variables: { visit: 'NT' },
      urgent: false,
    };
  }

  it('delivers once, and a repeated call (a retry after a lost reply) sends nothing more', async () => {
    const message = await input();
    const before = sms.delivered.length;
    const first = await run(() => activities.sendMessage(message));
    const second = await run(() => activities.sendMessage(message));
    expect(first.outcome).toBe('sent');
    expect(second).toEqual({ ...first, outcome: 'already-sent' });
    expect(sms.delivered.length - before).toBe(1);
    expect(sms.delivered.at(-1)).toMatchObject({
      idempotencyKey: `${message.enrollmentId}/notice#1/sms`,
      text: 'visit-notice: {"visit":"NT"}',
      patientRef: 'P-TEST',
    });
    const rows = await listOutboxMessages(database.db, message.enrollmentId);
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ status: 'sent', attempts: 1, provider_message_id: first.providerMessageId });
  });

  it('never delivers twice when two attempts run at the same time', async () => {
    const message = await input();
    const before = sms.delivered.length;
    sms.delayMs = 300;
    try {
      const results = await Promise.all([run(() => activities.sendMessage(message)), run(() => activities.sendMessage(message))]);
      expect(results.map((r) => r.outcome).sort()).toEqual(['already-sent', 'sent']);
    } finally {
      sms.delayMs = 0;
    }
    expect(sms.delivered.length - before).toBe(1);
  });

  it('holds no transaction or row lock while the gateway is slow', async () => {
    const message = await input();
    sms.delayMs = 400;
    try {
      const sending = run(() => activities.sendMessage(message));
      await new Promise((r) => setTimeout(r, 200));
      const { rows } = await sql<{
        state: string;
      }>`select state from pg_stat_activity where datname = current_database() and state like 'idle in transaction%'`.execute(database.db);
      expect(rows).toEqual([]);
      const [row] = await listOutboxMessages(database.db, message.enrollmentId);
      expect(row).toMatchObject({ status: 'pending' });
      expect(row!.claimed_until!.getTime()).toBeGreaterThan(Date.now());
      expect((await sending).outcome).toBe('sent');
    } finally {
      sms.delayMs = 0;
    }
    const [sent] = await listOutboxMessages(database.db, message.enrollmentId);
    expect(sent).toMatchObject({ status: 'sent', claimed_until: null });
  });

  it('delivers a message whose earlier attempt died holding an expired claim, once', async () => {
    const message = await input();
    await insertOutboxMessageOnce(database.db, { ...message, idempotencyKey: messageKey(message) });
    // An attempt claimed the row and its worker was killed before it recorded anything.
    await database.db
      .updateTable('outbox_messages')
      .set({ claimed_until: new Date(Date.now() - 1_000) })
      .where('enrollment_id', '=', message.enrollmentId)
      .execute();
    const before = sms.delivered.length;
    expect((await run(() => activities.sendMessage(message))).outcome).toBe('sent');
    expect((await run(() => activities.sendMessage(message))).outcome).toBe('already-sent');
    expect(sms.delivered.length - before).toBe(1);
  });

  it('counts a failed attempt, rethrows it for a retry, and the retry sends it once', async () => {
    const message = await input();
    sms.failuresLeft = 1;
    await expect(run(() => activities.sendMessage(message))).rejects.toMatchObject({ message: 'sms: delivery failed, Error', type: 'DeliveryFailed' });
    let [row] = await listOutboxMessages(database.db, message.enrollmentId);
    expect(row).toMatchObject({ status: 'pending', attempts: 1, last_error: 'sms: delivery failed, Error' });
    expect((await run(() => activities.sendMessage(message))).outcome).toBe('sent');
    [row] = await listOutboxMessages(database.db, message.enrollmentId);
    expect(row).toMatchObject({ status: 'sent', attempts: 2, last_error: null });
  });

  it('turns a permanent failure into a non-retryable error', async () => {
    const message = await input();
    sms.failuresLeft = 1;
    sms.permanent = true;
    try {
      await expect(run(() => activities.sendMessage(message))).rejects.toMatchObject({
        nonRetryable: true,
        type: 'PermanentDeliveryError',
        message: 'sms: gateway answered 400 (provider code isv.MOBILE_NUMBER_ILLEGAL), permanent',
      });
    } finally {
      sms.permanent = false;
    }
  });

  it("never stores or passes on a gateway's echo of the rendered text (it may hold the patient's name)", async () => {
    const message = { ...(await input()), variables: { name: '王小红', title: '产检提醒' } };
    sms.failuresLeft = 1;
    sms.echoes = true;
    try {
      const failure = await run(() => activities.sendMessage(message)).catch((err: unknown) => err);
      expect(JSON.stringify(failure)).not.toContain('王小红');
      expect((failure as Error).message).toBe('sms: delivery failed, Error');
      expect(String((failure as Error).stack)).not.toContain('王小红');
    } finally {
      sms.echoes = false;
    }
    const [row] = await listOutboxMessages(database.db, message.enrollmentId);
    expect(row!.last_error).toBe('sms: delivery failed, Error');
  });

  it('hands an undeliverable message to a person as a task, once, and never sends it afterwards', async () => {
    const message = await input();
    sms.failuresLeft = 1;
    await expect(run(() => activities.sendMessage(message))).rejects.toThrow();
    const handOver = { ...message, role: 'butler', assignee: 'butler-7', reason: 'gateway timeout' };
    const first = await run(() => activities.handOverUndeliverableMessage(handOver));
    const again = await run(() => activities.handOverUndeliverableMessage(handOver));
    expect(again.taskId).toBe(first.taskId);
    const tasks = await database.db.selectFrom('tasks').selectAll().where('enrollment_id', '=', message.enrollmentId).execute();
    expect(tasks).toHaveLength(1);
    expect(tasks[0]).toMatchObject({ kind: 'deliver-message', role: 'butler', assignee: 'butler-7', status: 'open' });
    const before = sms.delivered.length;
    expect((await run(() => activities.sendMessage(message))).outcome).toBe('handed-over');
    expect(sms.delivered.length).toBe(before);
    const [row] = await listOutboxMessages(database.db, message.enrollmentId);
    expect(row?.status).toBe('failed');
  });

  it('rejects an unknown channel without retrying', async () => {
    const message = { ...(await input()), channel: 'fax' };
    await expect(run(() => activities.sendMessage(message))).rejects.toMatchObject({ nonRetryable: true, type: 'UnknownChannel' });
  });

  it("sends a round's messages together; a retry after a transient failure sends only the ones not sent", async () => {
    const first = await input();
    const messages = [first, { ...first, occurrenceKey: 'notice#2' }, { ...first, occurrenceKey: 'notice#3' }];
    const before = sms.delivered.length;
    sms.failuresLeft = 1;
    await expect(run(() => activities.sendMessages({ messages, assignee: 'butler-7' }))).rejects.toThrow('sms: delivery failed');
    expect(sms.delivered.length - before).toBe(2);
    const results = await run(() => activities.sendMessages({ messages, assignee: 'butler-7' }));
    expect(results.map((r) => r.outcome).sort()).toEqual(['already-sent', 'already-sent', 'sent']);
    expect(sms.delivered.length - before).toBe(3);
    const rows = await listOutboxMessages(database.db, first.enrollmentId);
    expect(rows.map((r) => r.status)).toEqual(['sent', 'sent', 'sent']);
  });

  it('hands a message that fails for good to a person at once, and sends the rest of the round', async () => {
    const first = await input();
    const messages = [first, { ...first, occurrenceKey: 'notice#2' }];
    sms.failuresLeft = 1;
    sms.permanent = true;
    try {
      const results = await run(() => activities.sendMessages({ messages, assignee: 'butler-7' }));
      expect(results.map((r) => r.outcome).sort()).toEqual(['handed-over', 'sent']);
    } finally {
      sms.permanent = false;
    }
    const tasks = await database.db.selectFrom('tasks').selectAll().where('enrollment_id', '=', first.enrollmentId).execute();
    expect(tasks).toHaveLength(1);
    expect(tasks[0]).toMatchObject({ kind: 'deliver-message', assignee: 'butler-7' });
  });

  it('never hands over a message whose delivery, still in flight, succeeds after all', async () => {
    const message = await input();
    sms.delayMs = 300;
    try {
      const sending = run(() => activities.sendMessage(message));
      await new Promise((r) => setTimeout(r, 100));
      const { taskId } = await run(() => activities.handOverUndeliverableMessage({ ...message, role: 'butler', assignee: 'butler-7', reason: 'timeout' }));
      expect((await sending).outcome).toBe('sent');
      expect(taskId).toBeNull();
    } finally {
      sms.delayMs = 0;
    }
    const tasks = await database.db.selectFrom('tasks').selectAll().where('enrollment_id', '=', message.enrollmentId).execute();
    expect(tasks).toEqual([]);
    const [row] = await listOutboxMessages(database.db, message.enrollmentId);
    expect(row?.status).toBe('sent');
  });

  it('after the last retry hands over only what was not sent', async () => {
    const first = await input();
    const messages = [first, { ...first, occurrenceKey: 'notice#2' }];
    await run(() => activities.sendMessage(first));
    const { handedOver } = await run(() => activities.handOverUnsentMessages({ messages, assignee: 'butler-7', reason: 'gateway timeout' }));
    expect(handedOver).toBe(1);
    const tasks = await database.db.selectFrom('tasks').select('occurrence_key').where('enrollment_id', '=', first.enrollmentId).execute();
    expect(tasks.map((t) => t.occurrence_key)).toEqual(['notice#2/undelivered/sms']);
    // What a person now has in hand is marked failed in the outbox, so nothing later sends it.
    const rows = await listOutboxMessages(database.db, first.enrollmentId);
    expect(rows.map((r) => [r.idempotency_key.split('/')[1], r.status])).toEqual([
      ['notice#1', 'sent'],
      ['notice#2', 'failed'],
    ]);
    expect((await run(() => activities.sendMessage({ ...first, occurrenceKey: 'notice#2' }))).outcome).toBe('handed-over');
  });
});

describe('task activities on real PostgreSQL', () => {
  let database: ThrowawayDatabase;
  let activities: ReturnType<typeof createActivities>;
  const run = <T>(fn: () => Promise<T>): Promise<T> => new MockActivityEnvironment().run(fn) as Promise<T>;

  beforeAll(async () => {
    database = await createThrowawayDatabase();
    await migrateToLatest(database.db);
    activities = createActivities({ db: database.db, logger: testLogger, channels: new Map(), renderTemplate: () => ({ text: '', fields: {} }) });
  });
  afterAll(async () => {
    await database?.drop();
  });

  it('creates a task once per occurrence, escalates it only upwards, and closes it once', async () => {
    const enrollmentId = await insertEnrollment(database.db);
    const task = {
      enrollmentId,
      stepId: 'book-nt',
      occurrenceKey: 'book-nt#1',
      code: 'nt-scan',
      kind: 'task',
      title: 'Book the NT scan',
      role: 'butler',
      assignee: 'b1',
      urgent: false,
      dueAt: '2027-03-01T09:00:00+08:00',
    };
    const created = await run(() => activities.createTask(task));
    expect(await run(() => activities.createTask(task))).toEqual(created);
    expect(created).toMatchObject({ status: 'open', escalationLevel: 0 });

    const escalated = await run(() => activities.escalateTask({ taskId: created.taskId, level: 2, role: 'nurse', assignee: null }));
    expect(escalated.escalationLevel).toBe(2);
    const notLowered = await run(() => activities.escalateTask({ taskId: created.taskId, level: 1, role: 'butler', assignee: 'b1' }));
    expect(notLowered.escalationLevel).toBe(2);

    const at = '2027-02-20T10:00:00+08:00';
    const done = await run(() =>
      activities.closeTask({ taskId: created.taskId, status: 'done', by: 'nurse-1', result: { appointment_at: '2027-03-01T09:00:00+08:00' }, at }),
    );
    expect(done.status).toBe('done');
    const cancelledLate = await run(() => activities.closeTask({ taskId: created.taskId, status: 'cancelled', by: 'system', result: null, at }));
    expect(cancelledLate.status).toBe('done');
    const row = await database.db.selectFrom('tasks').selectAll().where('id', '=', created.taskId).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ role: 'nurse', urgent: true, completed_by: 'nurse-1', result: { appointment_at: '2027-03-01T09:00:00+08:00' } });
  });

  it('records a journey event once per key', async () => {
    const enrollmentId = await insertEnrollment(database.db);
    const event = { enrollmentId, eventKey: 'event#1', type: 'delivered', stepId: null, at: '2027-10-20T08:00:00+08:00', details: { source: 'butler' } };
    expect(await run(() => activities.recordJourneyEvent(event))).toEqual({ recorded: true });
    expect(await run(() => activities.recordJourneyEvent(event))).toEqual({ recorded: false });
  });
});
