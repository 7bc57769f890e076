/**
 * Patients' messages through the channels (issue 14, items 3 and 6) on the whole platform (real
 * Temporal dev server and PostgreSQL): the Official Account's endpoint checked and pushed as
 * WeChat documents it, and the SMS providers' reply pushes in their documented shapes. A message
 * becomes the patient's inquiry or joins her open one; a repeated push changes nothing; a sender
 * nobody can name keeps no text; TEMPLATESENDJOBFINISH is a WeChat message's receipt.
 */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { findOutboxMessage, insertOutboxMessageOnce } from '../../db/repositories/outbox.ts';
import { push, templateFinished, textMessage, urlCheck } from '../support/fakes/wechat-push.ts';
import { eventually } from '../support/journey-harness.ts';
import { call, enrollmentRequest, startApiPlatform, type ApiPlatform } from '../api/support/api-platform.ts';

const account = { token: 'carepathOaToken2026' };
const ALIYUN_TOKEN = 'aliyun-push-token-0123456789abcdef0123';
const TENCENT_TOKEN = 'tencent-push-token-0123456789abcdef0123';

describe("patients' messages through WeChat and SMS (real dev server and PostgreSQL)", () => {
  let api: ApiPlatform;
  const http = (method: string, url: string, options: Parameters<typeof call>[3] = {}) => call(api.url, method, url, options);
  let msgId = 7_000_000_000_000_000_000n;
  const nextMsgId = () => String(msgId++);
  const wechat = (xml: string, openid: string) => {
    const sent = push(account, xml, openid);
    return http('POST', `/channels/wechat/messages?${sent.query}`, { rawBody: sent.body, headers: { 'content-type': 'text/xml' } });
  };
  const inquiriesOf = (enrollmentId: string) =>
    api.database.db.selectFrom('inquiries').selectAll().where('enrollment_id', '=', enrollmentId).orderBy('asked_at').execute();
  async function enrolled() {
    const request = enrollmentRequest();
    const created = await http('POST', '/v1/enrollments', { key: api.keys.coordinator, body: request });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    return { enrollmentId: created.body.id as string, openid: request.patient.wechatOpenId, phone: request.patient.phone };
  }

  beforeAll(async () => {
    api = await startApiPlatform({
      CAREPATH_WECHAT_SERVER_TOKEN: account.token,
      CAREPATH_ALIYUN_SMS_RECEIPT_TOKEN: ALIYUN_TOKEN,
      CAREPATH_TENCENT_SMS_RECEIPT_TOKEN: TENCENT_TOKEN,
    });
  });
  afterAll(async () => {
    await api?.stop();
  });

  it("answers WeChat's URL check only when signed with the account's Token", async () => {
    const ok = await http('GET', `/channels/wechat/messages?${urlCheck(account, 'echo-1234')}`);
    expect(ok.status).toBe(200);
    expect(ok.text).toBe('echo-1234');
    expect((await http('GET', `/channels/wechat/messages?${urlCheck({ token: 'notTheToken' }, 'echo-1234')}`)).status).toBe(401);
  });

  it("opens an inquiry from a patient's WeChat message, joins the next to it, ignores a repeated push, and opens a new one after the answer", async () => {
    const { enrollmentId, openid } = await enrolled();
    const first = textMessage(openid, '今天有点腹痛，正常吗？', nextMsgId());
    const answered = await wechat(first, openid);
    expect(answered.status, answered.text).toBe(200);
    expect(answered.text).toBe('success');
    expect((await wechat(first, openid)).text).toBe('success'); // WeChat pushes again when an answer is slow

    const [inquiry] = await inquiriesOf(enrollmentId);
    expect(inquiry).toMatchObject({ question: '今天有点腹痛，正常吗？', channel: 'wechat', urgent: false, created_by: 'channel:wechat-oa' });
    expect(await inquiriesOf(enrollmentId)).toHaveLength(1);
    const tasks = (await http('GET', `/v1/tasks?enrollment=${enrollmentId}&status=open`, { key: api.keys.butler })).body.items;
    expect(tasks.find((t: { id: string }) => t.id === inquiry!.task_id)).toMatchObject({ kind: 'inquiry-response', assignee: 'b1', status: 'open' });

    await wechat(textMessage(openid, '是一阵一阵的', nextMsgId()), openid);
    const read = await http('GET', `/v1/inquiries/${inquiry!.id}`, { key: api.keys.butler });
    expect(read.body.messages).toEqual([
      { channel: 'wechat', text: '今天有点腹痛，正常吗？', receivedAt: expect.any(String), opened: true },
      { channel: 'wechat', text: '是一阵一阵的', receivedAt: expect.any(String), opened: false },
    ]);
    expect(await inquiriesOf(enrollmentId)).toHaveLength(1);

    const reply = await http('POST', `/v1/tasks/${inquiry!.task_id}/complete`, {
      key: api.keys.butler,
      body: { data: { reply: '已请产科医生给您回电，请留意来电。' } },
    });
    expect(reply.status, JSON.stringify(reply.body)).toBe(200);
    await wechat(textMessage(openid, '谢谢！', nextMsgId()), openid);
    const after = await inquiriesOf(enrollmentId);
    expect(after.map((i) => i.question)).toEqual(['今天有点腹痛，正常吗？', '谢谢！']);
    // The log never shows the openid or what she wrote.
    const logs = api.logs.join('');
    expect(logs).not.toContain(openid);
    expect(logs).not.toContain('腹痛');
  });

  it('keeps no text of a message from someone who is not a patient, and refuses an unsigned push', async () => {
    const stranger = 'o-not-a-patient-0001';
    const id = nextMsgId();
    expect((await wechat(textMessage(stranger, '广告：低价代购', id), stranger)).text).toBe('success');
    const row = await api.database.db.selectFrom('inbound_messages').selectAll().where('provider_message_id', '=', id).executeTakeFirstOrThrow();
    expect(row).toMatchObject({ outcome: 'unmatched', text: null, patient_ref: null, inquiry_id: null });
    // Coordinators see that it came, to look it up in the account's console; never its text.
    const listed = await http('GET', '/v1/inbound-messages', { key: api.keys.coordinator });
    expect(listed.status).toBe(200);
    const item = listed.body.items.find((m: any) => m.providerMessageId === id);
    expect(item).toEqual({ id: row.id, channel: 'wechat', provider: 'wechat-oa', providerMessageId: id, outcome: 'unmatched', receivedAt: expect.any(String) });
    expect(listed.text).not.toContain('代购');
    expect((await http('GET', '/v1/inbound-messages', { key: api.keys.butler })).status).toBe(403);

    const forged = await http('POST', `/channels/wechat/messages?signature=0&timestamp=${Math.floor(Date.now() / 1000)}&nonce=1`, {
      rawBody: textMessage(stranger, 'x', nextMsgId()),
      headers: { 'content-type': 'text/xml' },
    });
    expect(forged.status).toBe(401);
  });

  it("records TEMPLATESENDJOBFINISH as the WeChat message's receipt", async () => {
    const { enrollmentId, openid } = await enrolled();
    const key = `${enrollmentId}/welcome#1/wechat`;
    await insertOutboxMessageOnce(api.database.db, {
      idempotencyKey: key,
      enrollmentId,
      stepId: 'welcome',
      channel: 'wechat',
      audience: 'patient',
      templateId: 'visit_notice',
      variables: {},
      urgent: false,
    });
    await api.database.db
      .updateTable('outbox_messages')
      .set({ status: 'sent', provider_message_id: '200163836', sent_at: new Date() })
      .where('idempotency_key', '=', key)
      .execute();
    expect((await wechat(templateFinished(openid, '200163836', 'failed:user block'), openid)).text).toBe('success');
    expect(await findOutboxMessage(api.database.db, key)).toMatchObject({ delivery: 'undelivered', delivery_code: 'failed:user-block' });
  });

  it('opens an inquiry from an Aliyun SMS reply and joins a Tencent one to it, by the push token', async () => {
    const { enrollmentId, phone } = await enrolled();
    const aliyun = [{ phone_number: phone, content: '收到，请问停车方便吗', send_time: '2026-12-06 09:30:00', dest_code: '1234', sequence_id: 987654321 }];
    expect((await http('POST', `/channels/aliyun-sms/replies?token=wrong-token`, { body: aliyun })).status).toBe(401);
    const answered = await http('POST', `/channels/aliyun-sms/replies?token=${ALIYUN_TOKEN}`, { body: aliyun });
    expect(answered.status, answered.text).toBe(200);
    expect(answered.body).toEqual({ code: 0, msg: '接收成功' });

    const [inquiry] = await inquiriesOf(enrollmentId);
    expect(inquiry).toMatchObject({ question: '收到，请问停车方便吗', channel: 'sms', asked_at: new Date('2026-12-06T01:30:00Z') });

    const tencent = { extend: '', mobile: phone, nationcode: '86', sign: '某医院', text: '还有，几点开门', time: Math.floor(Date.now() / 1000) };
    const twice = [tencent, tencent];
    for (const body of twice)
      expect((await http('POST', `/channels/tencent-sms/replies?token=${TENCENT_TOKEN}`, { body })).body).toEqual({ result: 0, errmsg: 'OK' });
    await eventually(async () => {
      const read = await http('GET', `/v1/inquiries/${inquiry!.id}`, { key: api.keys.butler });
      expect(read.body.messages.map((m: { text: string; channel: string }) => [m.channel, m.text])).toEqual([
        ['sms', '收到，请问停车方便吗'],
        ['sms', '还有，几点开门'],
      ]);
    });
    expect(await inquiriesOf(enrollmentId)).toHaveLength(1);
  });
});
