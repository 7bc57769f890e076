/**
 * Real providers' contracts end to end in the send activity (issue 14, item 2): the channels
 * `channelsFromEnv` builds for Aliyun SMS and WeChat template messages, the shipped content and
 * its approved-template maps, the patient's contact points decrypted in the activity, and the
 * outbox on real PostgreSQL — against local fakes of both providers. A lost answer is retried
 * and sent once; a sensitive template carries no more than the name; a follower who left is
 * handed to a person.
 */
import { MockActivityEnvironment } from '@temporalio/testing';
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createActivities } from '../../activities/index.ts';
import type { SendMessageInput } from '../../activities/messages.ts';
import { channelsFromEnv } from '../../channels/registry.ts';
import { loadTemplateRenderer } from '../../channels/templates.ts';
import { migrateToLatest } from '../../db/migrate.ts';
import { listOutboxMessages } from '../../db/repositories/outbox.ts';
import { registerPatient } from '../../enrollment/identity/patient-directory.ts';
import { recipientResolver } from '../../enrollment/identity/recipient-resolver.ts';
import { patientDescriber } from '../../enrollment/identity/patient-directory.ts';
import { loadContent } from '../../pathway/compiler/content.ts';
import { createThrowawayDatabase, type ThrowawayDatabase } from '../support/database.ts';
import { insertEnrollment } from '../support/enrollments.ts';
import { startAliyunSmsFake } from '../support/fakes/aliyun-sms-fake.ts';
import { startWechatFake } from '../support/fakes/wechat-fake.ts';
import { testLogger } from '../support/logger.ts';
import { consentToEveryChannel, identityKeyEnv, vaultFor } from '../support/patients.ts';

const contentDir = path.resolve('pathways/content');
const content = loadContent(contentDir);
const aliyun = { accessKeyId: 'LTAI5tFakeKeyId', accessKeySecret: 'fake-secret', signName: '示例妇幼保健院' };
const wechat = { appId: 'wx0123456789abcdef', appSecret: 'fake-app-secret' };

/** The approved templates of a provider map as a fake account holds them: code → parameter names. */
function approved(provider: 'aliyun-sms' | 'wechat-template'): Record<string, string[]> {
  return Object.fromEntries([...content.providerTemplates.get(provider)!.values()].map((t) => [t.code, t.params.map((p) => p.name)]));
}

describe('delivery through provider adapters (real PostgreSQL, local provider fakes)', () => {
  let database: ThrowawayDatabase;
  let sms: Awaited<ReturnType<typeof startAliyunSmsFake>>;
  let wx: Awaited<ReturnType<typeof startWechatFake>>;
  let activities: ReturnType<typeof createActivities>;
  const keys = identityKeyEnv();
  const vault = vaultFor(keys);
  const openid = `oPatient_${randomUUID().slice(0, 8)}`;
  const leftOpenid = `oLeft_${randomUUID().slice(0, 8)}`;
  const run = <T>(fn: () => Promise<T>): Promise<T> => new MockActivityEnvironment().run(fn) as Promise<T>;

  beforeAll(async () => {
    database = await createThrowawayDatabase();
    await migrateToLatest(database.db);
    sms = await startAliyunSmsFake({ ...aliyun, templates: approved('aliyun-sms') });
    wx = await startWechatFake({ ...wechat, followers: [openid], unfollowed: [leftOpenid], templates: approved('wechat-template') });
    const env = {
      CAREPATH_CHANNEL_SMS_PROVIDER: 'aliyun-sms',
      CAREPATH_ALIYUN_SMS_ACCESS_KEY_ID: aliyun.accessKeyId,
      CAREPATH_ALIYUN_SMS_ACCESS_KEY_SECRET: aliyun.accessKeySecret,
      CAREPATH_ALIYUN_SMS_SIGN_NAME: aliyun.signName,
      CAREPATH_ALIYUN_SMS_ENDPOINT: sms.endpoint,
      CAREPATH_CHANNEL_WECHAT_PROVIDER: 'wechat-template',
      CAREPATH_WECHAT_APP_ID: wechat.appId,
      CAREPATH_WECHAT_APP_SECRET: wechat.appSecret,
      CAREPATH_WECHAT_API_BASE: wx.apiBase,
    };
    activities = createActivities({
      db: database.db,
      logger: testLogger,
      channels: channelsFromEnv(env, testLogger, content.providerTemplates),
      renderTemplate: loadTemplateRenderer(contentDir),
      describePatient: patientDescriber(database.db, vault),
      resolveRecipient: recipientResolver(database.db, vault),
    });
  });
  afterAll(async () => {
    await sms?.close();
    await wx?.close();
    await database?.drop();
  });

  async function patient(wechatOpenId: string) {
    const phone = `139${String(Date.now()).slice(-8)}`;
    const { patientRef } = await registerPatient(
      database.db,
      vault,
      { name: '王小红', phone, wechatOpenId },
      { tenant: 'test', createdBy: 'test', revealRef: true },
    );
    const enrollmentId = await insertEnrollment(database.db);
    await database.db.updateTable('enrollments').set({ patient_ref: patientRef }).where('id', '=', enrollmentId).execute();
    await consentToEveryChannel(database.db, patientRef, enrollmentId);
    return { enrollmentId, patientRef, phone };
  }

  const message = (
    who: { enrollmentId: string; patientRef: string },
    channel: string,
    templateId: string,
    variables: Record<string, unknown>,
  ): SendMessageInput => ({
    enrollmentId: who.enrollmentId,
    patientRef: who.patientRef,
    stepId: templateId,
    occurrenceKey: `${templateId}#1`,
    channel,
    audience: 'patient',
    templateId,
    variables,
    urgent: false,
  });

  it('sends a visit notice as the approved SMS and WeChat templates, to her number and openid, filled as she reads it', async () => {
    const who = await patient(openid);
    const visit = { title: 'NT检查', place: '门诊三楼超声科', appointment_at: '2027-03-14T09:15:00+08:00' };
    const results = await run(() => activities.sendMessages({ messages: ['sms', 'wechat'].map((c) => message(who, c, 'notice_nt', visit)), assignee: null }));
    expect(results.map((r) => r.outcome)).toEqual(['sent', 'sent']);
    const smsTemplate = content.providerTemplates.get('aliyun-sms')!.get('notice_nt')!;
    expect(sms.sent.at(-1)).toMatchObject({
      phone: who.phone,
      templateCode: smsTemplate.code,
      params: { name: '王小红', title: 'NT检查', place: '门诊三楼超声科', appointment_at: '3月14日 09:15' },
    });
    expect(wx.sent.at(-1)).toMatchObject({ touser: openid, templateId: content.providerTemplates.get('wechat-template')!.get('notice_nt')!.code });
    const rows = await listOutboxMessages(database.db, who.enrollmentId);
    expect(rows.map((r) => [r.channel, r.status, r.provider_message_id])).toEqual(
      expect.arrayContaining([
        ['sms', 'sent', sms.sent.at(-1)!.bizId],
        ['wechat', 'sent', `wechat:${wx.sent.at(-1)!.msgid}`],
      ]),
    );
    // The contact points and the name reached the providers, never the outbox.
    expect(JSON.stringify(rows)).not.toMatch(new RegExp(`${who.phone}|${openid}|王小红`));
  });

  it('sends once when Aliyun accepted a message but its answer was lost: the retry finds it in the send records', async () => {
    const who = await patient(openid);
    const input = message(who, 'sms', 'notice_nt', { title: 'NT检查', place: '超声科', appointment_at: '2027-03-14T09:15:00+08:00' });
    sms.acceptThenDrop();
    await expect(run(() => activities.sendMessage(input))).rejects.toMatchObject({ type: 'DeliveryFailed' });
    const retried = await run(() => activities.sendMessage(input));
    expect(retried.outcome).toBe('sent');
    expect(sms.sent.filter((s) => s.phone === who.phone)).toHaveLength(1);
    const [row] = await listOutboxMessages(database.db, who.enrollmentId);
    expect(row).toMatchObject({ status: 'sent', attempts: 2 });
  });

  it('sends a sensitive notice by SMS as its neutral template, with the name only', async () => {
    const who = await patient(openid);
    await run(() =>
      activities.sendMessage(
        message(who, 'sms', 'notice_retrieval', { title: '取卵手术', place: '生殖中心手术室', appointment_at: '2027-03-14T08:00:00+08:00' }),
      ),
    );
    expect(sms.sent.at(-1)).toMatchObject({ phone: who.phone, params: { name: '王小红' } });
    expect(JSON.stringify(sms.sent.at(-1))).not.toMatch(/取卵|生殖中心|3月14日/);
  });

  it('hands the message to a person when she no longer follows the account, saying so', async () => {
    const who = await patient(leftOpenid);
    const [result] = await run(() =>
      activities.sendMessages({
        messages: [message(who, 'wechat', 'notice_nt', { title: 'NT检查', place: '超声科', appointment_at: '2027-03-14T09:15:00+08:00' })],
        assignee: 'b1',
      }),
    );
    expect(result!.outcome).toBe('handed-over');
    const [row] = await listOutboxMessages(database.db, who.enrollmentId);
    expect(row).toMatchObject({ status: 'failed', last_error: 'wechat: gateway refused the message (provider code 43004), permanent' });
    const tasks = await database.db.selectFrom('tasks').select(['kind', 'assignee']).where('enrollment_id', '=', who.enrollmentId).execute();
    expect(tasks).toEqual([{ kind: 'deliver-message', assignee: 'b1' }]);
  });

  it('refuses to start a provider without its credentials or approved templates, naming what is missing', () => {
    expect(() => channelsFromEnv({ CAREPATH_CHANNEL_SMS_PROVIDER: 'aliyun-sms' }, testLogger, content.providerTemplates)).toThrow(
      /needs CAREPATH_ALIYUN_SMS_ACCESS_KEY_ID/,
    );
    expect(() =>
      channelsFromEnv(
        {
          CAREPATH_CHANNEL_SMS_PROVIDER: 'tencent-sms',
          CAREPATH_TENCENT_SMS_SECRET_ID: 'a',
          CAREPATH_TENCENT_SMS_SECRET_KEY: 'b',
          CAREPATH_TENCENT_SMS_SDK_APP_ID: '1',
          CAREPATH_TENCENT_SMS_SIGN_NAME: 's',
        },
        testLogger,
        new Map(),
      ),
    ).toThrow(/content\/channels\/tencent-sms.yaml/);
    expect(() => channelsFromEnv({ CAREPATH_CHANNEL_WECHAT_PROVIDER: 'aliyun-sms' }, testLogger)).toThrow(
      /wechat channel can use wechat-template, webhook, log/,
    );
  });
});
