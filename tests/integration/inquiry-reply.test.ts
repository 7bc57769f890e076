/**
 * The butler's answer to an inquiry reaches the patient (issue 14, item 6), on the time-skipping
 * server with real activities, real templates, real encrypted identities and PostgreSQL: the
 * answer is validated, recorded with its reply, and sent by WeChat or the app (never by SMS), on
 * the next channel when one cannot deliver, or given to the butler as a call.
 */
import { randomBytes, randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { PermanentDeliveryError, type Channel, type OutboundMessage } from '../../channels/channel.ts';
import { loadTemplateRenderer, NEUTRAL_PREVIEW } from '../../channels/templates.ts';
import { insertConsent } from '../../db/repositories/consents.ts';
import { findEnrollment } from '../../db/repositories/enrollments.ts';
import { findInquiry } from '../../db/repositories/inquiries.ts';
import { listOutboxMessages } from '../../db/repositories/outbox.ts';
import { findWorklistTask } from '../../db/repositories/worklist.ts';
import { completeTask } from '../../enrollment/complete-task.ts';
import { loadIdentityKeys } from '../../enrollment/identity/identity-keys.ts';
import { IdentityVault, type PatientIdentity } from '../../enrollment/identity/identity-vault.ts';
import { patientDescriber, registerPatient } from '../../enrollment/identity/patient-directory.ts';
import { recipientResolver } from '../../enrollment/identity/recipient-resolver.ts';
import { openInquiry } from '../../enrollment/inquiries/open-inquiry.ts';
import { inquiryReplyWorkflowId } from '../../workflows/inquiry-definitions.ts';
import { insertEnrollment } from '../support/enrollments.ts';
import { useTimeSkippingJourneys } from '../support/journey-harness.ts';

const content = fileURLToPath(new URL('../../pathways/content', import.meta.url));
const key = () => `k1:${randomBytes(32).toString('base64')}`;
const vault = new IdentityVault(loadIdentityKeys({ CAREPATH_IDENTITY_KEYS: key(), CAREPATH_IDENTITY_LOOKUP_KEY: key() })!);

/** Keeps what it delivers; refuses the patients told (an unfollowed account), or fails once for those told (a 503). */
class ProviderChannel implements Channel {
  readonly delivered: OutboundMessage[] = [];
  readonly refusing = new Set<string>();
  readonly failingOnce = new Set<string>();
  attempts = 0;
  constructor(readonly name: string) {}
  async deliver(message: OutboundMessage) {
    this.attempts++;
    if (this.refusing.has(message.patientRef)) throw new PermanentDeliveryError('the user has not followed the account', { providerCode: '43004' });
    if (this.failingOnce.delete(message.patientRef)) throw new Error('503 Service Unavailable');
    this.delivered.push(message);
    return { providerMessageId: `${this.name}-${this.delivered.length}` };
  }
}

describe('the reply to an inquiry (time-skipping server, real activities, templates and identities)', () => {
  const wechat = new ProviderChannel('wechat');
  const app = new ProviderChannel('app');
  const sms = new ProviderChannel('sms');
  const t = useTimeSkippingJourneys([wechat, app, sms], (database) => ({
    renderTemplate: loadTemplateRenderer(content),
    resolveRecipient: recipientResolver(database.db, vault),
    describePatient: patientDescriber(database.db, vault),
  }));

  /** A patient with `identity` and consent to `scope`, who asks a question on `channel`. */
  async function asked(identity: PatientIdentity, scope: string[], channel: string | null) {
    const { patientRef } = await registerPatient(t.database.db, vault, identity, { tenant: 'default', createdBy: 'test', revealRef: true });
    const enrollmentId = await insertEnrollment(t.database.db, { butlerId: 'b1' });
    await t.database.db.updateTable('enrollments').set({ patient_ref: patientRef }).where('id', '=', enrollmentId).execute();
    await insertConsent(t.database.db, {
      id: randomUUID(),
      patientRef,
      enrollmentId,
      scope,
      givenAt: new Date().toISOString(),
      recordedBy: 'coordinator-1',
      method: 'written',
      documentRef: null,
    });
    const enrollment = (await findEnrollment(t.database.db, enrollmentId))!;
    const inquiry = await openInquiry(
      { db: t.database.db, client: t.env.client, taskQueue: t.taskQueue },
      { enrollment, question: '这周产检要空腹吗？', urgent: false, channel, askedAt: new Date(await t.env.currentTimeMs()), createdBy: 'test' },
      async () => {},
    );
    return { inquiry, patientRef, enrollmentId };
  }
  const answer = async (taskId: string, data: Record<string, string>) =>
    completeTask(
      { db: t.database.db, client: t.env.client, taskQueue: t.taskQueue },
      (await findWorklistTask(t.database.db, taskId))!,
      { data, by: 'b1' },
      async () => {},
    );
  const replyOutcome = (inquiryId: string) => t.env.client.workflow.getHandle(inquiryReplyWorkflowId(inquiryId)).result();
  const outbox = async (enrollmentId: string) =>
    (await listOutboxMessages(t.database.db, enrollmentId)).map((m) => ({ channel: m.channel, status: m.status, passedTo: m.passed_to }));

  it('sends the answer on the channel the question came by, its text in the message and a neutral lock-screen preview', async () => {
    const { inquiry, patientRef, enrollmentId } = await asked(
      { name: '林晓', phone: '13800000001', wechatOpenId: 'o-lin' },
      ['wechat-contact', 'sms-contact'],
      'wechat',
    );
    await answer(inquiry.task_id, { reply: '产检当天不需要空腹，糖耐量检查那次才需要。' });

    expect(await replyOutcome(inquiry.id)).toEqual({ outcome: 'sent', channel: 'wechat' });
    const sent = wechat.delivered.filter((m) => m.patientRef === patientRef);
    expect(sent).toHaveLength(1);
    expect(sent[0]).toMatchObject({ templateId: 'inquiry_reply', recipient: { kind: 'wechat-openid', address: 'o-lin' }, preview: NEUTRAL_PREVIEW });
    expect(sent[0]!.text).toContain('产检当天不需要空腹，糖耐量检查那次才需要。');
    expect(sent[0]!.text).toContain('林晓');
    expect(sent[0]!.fields).toEqual({ name: '林晓', reply: '产检当天不需要空腹，糖耐量检查那次才需要。' });
    expect(sms.delivered.filter((m) => m.patientRef === patientRef)).toHaveLength(0);
    expect(await outbox(enrollmentId)).toEqual([{ channel: 'wechat', status: 'sent', passedTo: null }]);
    expect(await findInquiry(t.database.db, inquiry.id)).toMatchObject({
      reply: '产检当天不需要空腹，糖耐量检查那次才需要。',
      reply_via: 'message',
      answered_by: 'b1',
    });
  });

  it('goes on to the app when WeChat refuses, and sends once through a transient failure', async () => {
    const { inquiry, patientRef, enrollmentId } = await asked(
      { name: '周敏', phone: '13800000002', wechatOpenId: 'o-zhou', appUserId: 'u-zhou' },
      ['wechat-contact', 'app-contact'],
      'wechat',
    );
    wechat.refusing.add(patientRef);
    app.failingOnce.add(patientRef);
    await answer(inquiry.task_id, { reply: '可以正常饮食。' });

    expect(await replyOutcome(inquiry.id)).toEqual({ outcome: 'sent', channel: 'app' });
    expect(app.delivered.filter((m) => m.patientRef === patientRef)).toHaveLength(1);
    expect(await outbox(enrollmentId)).toEqual([
      { channel: 'wechat', status: 'failed', passedTo: 'app' },
      { channel: 'app', status: 'sent', passedTo: null },
    ]);
    const tasks = await t.database.db.selectFrom('tasks').select(['kind', 'status']).where('enrollment_id', '=', enrollmentId).execute();
    expect(tasks).toEqual([{ kind: 'inquiry-response', status: 'done' }]);
  });

  it('gives the butler a call when neither WeChat nor the app can carry it: an SMS never carries a reply', async () => {
    const { inquiry, patientRef, enrollmentId } = await asked({ name: '陈静', phone: '13800000003' }, ['sms-contact'], 'sms');
    await answer(inquiry.task_id, { reply: '建议明天上午来院复查血压。', via: 'message' });

    expect(await replyOutcome(inquiry.id)).toEqual({ outcome: 'call-task', channel: 'phone' });
    expect(sms.delivered.filter((m) => m.patientRef === patientRef)).toHaveLength(0);
    const call = await t.database.db
      .selectFrom('tasks')
      .selectAll()
      .where('enrollment_id', '=', enrollmentId)
      .where('kind', '=', 'inquiry-reply')
      .executeTakeFirstOrThrow();
    expect(call).toMatchObject({ call: true, role: 'butler', assignee: 'b1', status: 'open' });
    expect(call.title).toBe('电话告知患者咨询回复（微信、应用内消息无法送达；回复内容见咨询记录）');
    expect(call.title).not.toContain('血压');
    expect((await outbox(enrollmentId)).map((m) => m.status)).toEqual(['failed', 'failed']);
  });

  it('refuses an answer without a reply or with unknown fields, and sends nothing for an answer given on the phone', async () => {
    const { inquiry, patientRef } = await asked({ name: '吴芳', phone: '13800000004', wechatOpenId: 'o-wu' }, ['wechat-contact'], 'wechat');
    await expect(answer(inquiry.task_id, { reply: '   ' })).rejects.toMatchObject({ code: 'invalid-input', message: expect.stringContaining('non-empty') });
    await expect(answer(inquiry.task_id, { reply: '好的', note: 'x' })).rejects.toMatchObject({
      code: 'invalid-input',
      message: expect.stringContaining('not note'),
    });
    await expect(answer(inquiry.task_id, { reply: '好的', via: 'fax' })).rejects.toMatchObject({ code: 'invalid-input' });
    expect(await findWorklistTask(t.database.db, inquiry.task_id)).toMatchObject({ status: 'open' });

    await answer(inquiry.task_id, { reply: '已电话告知，按时复诊即可。', via: 'phone' });
    expect(await findInquiry(t.database.db, inquiry.id)).toMatchObject({ reply_via: 'phone', answered_by: 'b1' });
    await expect(t.env.client.workflow.getHandle(inquiryReplyWorkflowId(inquiry.id)).describe()).rejects.toThrow(/not found/i);
    expect(wechat.delivered.filter((m) => m.patientRef === patientRef)).toHaveLength(0);
  });
});
