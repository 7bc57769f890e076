/**
 * Recipients resolved inside the send activity (issue 14, item 1): the channel's contact point is
 * decrypted from the patient's identity only there, with the enrolment's consent for the channel;
 * a missing contact point or consent hands the message to a person at once (real PostgreSQL).
 */
import { MockActivityEnvironment } from '@temporalio/testing';
import { randomBytes, randomUUID } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../activities/index.ts';
import type { SendMessageInput } from '../../activities/messages.ts';
import type { Channel, OutboundMessage } from '../../channels/channel.ts';
import { migrateToLatest } from '../../db/migrate.ts';
import { insertConsent } from '../../db/repositories/consents.ts';
import { loadIdentityKeys } from '../../enrollment/identity/identity-keys.ts';
import { IdentityVault, type PatientIdentity } from '../../enrollment/identity/identity-vault.ts';
import { registerPatient } from '../../enrollment/identity/patient-directory.ts';
import { recipientResolver } from '../../enrollment/identity/recipient-resolver.ts';
import { createThrowawayDatabase, type ThrowawayDatabase } from '../support/database.ts';
import { insertEnrollment } from '../support/enrollments.ts';
import { testLogger } from '../support/logger.ts';

class RecordingChannel implements Channel {
  readonly delivered: OutboundMessage[] = [];
  constructor(readonly name: string) {}
  async deliver(message: OutboundMessage) {
    this.delivered.push(message);
    return { providerMessageId: `${this.name}-${this.delivered.length}` };
  }
}

describe('recipients of messages, resolved in the send activity', () => {
  let database: ThrowawayDatabase;
  let vault: IdentityVault;
  let activities: ReturnType<typeof createActivities>;
  const channels = new Map(['wechat', 'sms', 'app'].map((name) => [name, new RecordingChannel(name)]));
  const run = <T>(fn: () => Promise<T>): Promise<T> => new MockActivityEnvironment().run(fn) as Promise<T>;
  const key = () => `k1:${randomBytes(32).toString('base64')}`;

  beforeAll(async () => {
    database = await createThrowawayDatabase();
    await migrateToLatest(database.db);
    vault = new IdentityVault(loadIdentityKeys({ CAREPATH_IDENTITY_KEYS: key(), CAREPATH_IDENTITY_LOOKUP_KEY: key() })!);
    activities = createActivities({
      db: database.db,
      logger: testLogger,
      channels,
      renderTemplate: (id) => ({ text: `text of ${id}`, fields: {} }),
      resolveRecipient: recipientResolver(database.db, vault),
    });
  });
  afterAll(async () => {
    await database?.drop();
  });

  /** A patient with `identity`, enrolled with consent to `scope`. */
  async function enrolled(identity: PatientIdentity, scope: string[], withdrawn = false) {
    const { patientRef } = await registerPatient(database.db, vault, identity, { tenant: 'default', createdBy: 'test', revealRef: true });
    const enrollmentId = await insertEnrollment(database.db);
    await database.db.updateTable('enrollments').set({ patient_ref: patientRef }).where('id', '=', enrollmentId).execute();
    await insertConsent(database.db, {
      id: randomUUID(),
      patientRef,
      enrollmentId,
      scope,
      givenAt: new Date().toISOString(),
      recordedBy: 'coordinator-1',
      method: 'written',
      documentRef: null,
    });
    if (withdrawn) await database.db.updateTable('consents').set({ withdrawn_at: new Date() }).where('enrollment_id', '=', enrollmentId).execute();
    return { enrollmentId, patientRef };
  }

  const message = (who: { enrollmentId: string; patientRef: string }, channel: string, audience = 'patient'): SendMessageInput => ({
    ...who,
    stepId: 'notice',
    occurrenceKey: `notice#${randomUUID().slice(0, 8)}`,
    channel,
    audience,
    templateId: 'visit-notice',
    variables: {},
    urgent: false,
  });

  const phone = () => `139${String(Date.now()).slice(-8)}`;

  it("gives each channel the patient's contact point for it, and keeps it out of the outbox and the result", async () => {
    const who = await enrolled({ name: '张三', phone: phone(), wechatOpenId: 'oAbCdEfGhIjKlMnOpQrStUvWx', appUserId: 'u-1001' }, [
      'care-management',
      'wechat-contact',
      'sms-contact',
      'app-contact',
    ]);
    const results = await run(() => activities.sendMessages({ messages: ['wechat', 'sms', 'app'].map((c) => message(who, c)), assignee: null }));
    expect(results.map((r) => r.outcome)).toEqual(['sent', 'sent', 'sent']);
    expect(channels.get('wechat')!.delivered.at(-1)!.recipient).toEqual({ kind: 'wechat-openid', address: 'oAbCdEfGhIjKlMnOpQrStUvWx' });
    expect(channels.get('sms')!.delivered.at(-1)!.recipient).toMatchObject({ kind: 'mobile', address: expect.stringMatching(/^139\d{8}$/) });
    expect(channels.get('app')!.delivered.at(-1)!.recipient).toEqual({ kind: 'app-user', address: 'u-1001' });
    const rows = await database.db.selectFrom('outbox_messages').selectAll().where('enrollment_id', '=', who.enrollmentId).execute();
    expect(JSON.stringify(rows)).not.toContain('oAbCdEfGhIjKlMnOpQrStUvWx');
    expect(JSON.stringify(results)).not.toContain('oAbCdEfGhIjKlMnOpQrStUvWx');
    const reads = await database.db.selectFrom('audit_log').select(['action', 'details']).where('resource_id', '=', who.patientRef).execute();
    expect(
      reads
        .filter((r) => r.action === 'patient.contact.read')
        .map((r) => (r.details as { channel: string }).channel)
        .sort(),
    ).toEqual(['app', 'sms', 'wechat']);
  });

  it('hands the message to a person at once when the channel has no contact point on record, naming what is missing', async () => {
    const who = await enrolled({ name: '李四', phone: phone() }, ['care-management', 'wechat-contact', 'sms-contact']);
    const before = channels.get('wechat')!.delivered.length;
    const results = await run(() => activities.sendMessages({ messages: [message(who, 'wechat'), message(who, 'sms')], assignee: 'b1' }));
    expect(results.map((r) => r.outcome)).toEqual(['handed-over', 'sent']);
    expect(channels.get('wechat')!.delivered.length).toBe(before);
    const tasks = await database.db.selectFrom('tasks').select(['kind', 'title', 'assignee']).where('enrollment_id', '=', who.enrollmentId).execute();
    expect(tasks).toEqual([{ kind: 'deliver-message', title: expect.stringContaining('no wechat contact point on record'), assignee: 'b1' }]);
    const row = await database.db
      .selectFrom('outbox_messages')
      .select(['channel', 'status'])
      .where('enrollment_id', '=', who.enrollmentId)
      .orderBy('channel')
      .execute();
    expect(row).toEqual([
      { channel: 'sms', status: 'sent' },
      { channel: 'wechat', status: 'failed' },
    ]);
  });

  it('in a preference order, passes a channel without a contact point on to the next one instead of asking a person', async () => {
    const who = await enrolled({ name: '钱七', phone: phone() }, ['care-management', 'wechat-contact', 'sms-contact']);
    const fallback = { next: ['sms', 'phone'], withinMinutes: 120, title: '欢迎', kind: 'message' };
    const results = await run(() => activities.sendMessages({ messages: [{ ...message(who, 'wechat'), fallback }], assignee: 'b1' }));
    expect(results.map((r) => r.outcome)).toEqual(['failed']);
    expect(await database.db.selectFrom('tasks').select('id').where('enrollment_id', '=', who.enrollmentId).execute()).toEqual([]);
    const rows = await database.db
      .selectFrom('outbox_messages')
      .select(['channel', 'status', 'passed_to'])
      .where('enrollment_id', '=', who.enrollmentId)
      .execute();
    expect(rows).toEqual([{ channel: 'wechat', status: 'failed', passed_to: 'sms' }]);
  });

  it('never uses a channel the enrolment has no consent for, or whose consent was withdrawn', async () => {
    const identity = { name: '王五', phone: phone(), wechatOpenId: 'oZyXwVuTsRqPoNmLkJiHgFeDc' };
    const noSms = await enrolled(identity, ['care-management', 'wechat-contact']);
    const smsBefore = channels.get('sms')!.delivered.length;
    const results = await run(() => activities.sendMessages({ messages: [message(noSms, 'sms'), message(noSms, 'wechat')], assignee: null }));
    expect(results.map((r) => r.outcome)).toEqual(['handed-over', 'sent']);
    expect(channels.get('sms')!.delivered.length).toBe(smsBefore);
    const task = await database.db.selectFrom('tasks').select('title').where('enrollment_id', '=', noSms.enrollmentId).executeTakeFirstOrThrow();
    expect(task.title).toContain('no consent');

    const withdrawn = await enrolled({ ...identity, phone: phone().replace(/^139/, '137') }, ['care-management', 'wechat-contact', 'sms-contact'], true);
    const wechatBefore = channels.get('wechat')!.delivered.length;
    expect((await run(() => activities.sendMessages({ messages: [message(withdrawn, 'wechat')], assignee: null })))[0]!.outcome).toBe('handed-over');
    expect(channels.get('wechat')!.delivered.length).toBe(wechatBefore);
  });

  it("addresses a staff audience by its role, reading nothing of the patient's", async () => {
    const who = await enrolled({ name: '赵六', phone: phone() }, ['care-management']);
    await run(() => activities.sendMessage(message(who, 'app', 'nurse')));
    expect(channels.get('app')!.delivered.at(-1)!.recipient).toEqual({ kind: 'staff-role', address: 'nurse' });
    const reads = await database.db.selectFrom('audit_log').select('action').where('resource_id', '=', who.patientRef).execute();
    expect(reads.map((r) => r.action)).not.toContain('patient.contact.read');
  });
});
