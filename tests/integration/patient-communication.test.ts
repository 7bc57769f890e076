/**
 * The whole message path, end to end (issue 14, done when): the platform with its real
 * adapters for WeChat template messages and Aliyun SMS against local fakes of both providers,
 * the app through its HTTP gateway, a real Temporal dev server and PostgreSQL. A sensitive IVF
 * notice in a preference order goes to WeChat, which refuses (she no longer follows the
 * account); the SMS goes at once, as the neutral text; its receipt arrives; she replies by SMS,
 * which opens an inquiry; the butler answers and the answer reaches her app (WeChat refusing
 * again, an SMS never carrying a reply).
 */
import { fileURLToPath } from 'node:url';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { listJourneyEvents } from '../../db/repositories/journey-events.ts';
import { loadContent } from '../../pathway/compiler/content.ts';
import { startAliyunSmsFake } from '../support/fakes/aliyun-sms-fake.ts';
import { startFakeServer } from '../support/fakes/http-fake.ts';
import { startWechatFake } from '../support/fakes/wechat-fake.ts';
import { eventually } from '../support/journey-harness.ts';
import { call, enrollmentRequest, startApiPlatform, type ApiPlatform } from '../api/support/api-platform.ts';

const pathwaysDir = fileURLToPath(new URL('../fixtures/communication', import.meta.url));
const content = loadContent(`${pathwaysDir}/content`);
const aliyun = { accessKeyId: 'LTAI5tFakeKeyId', accessKeySecret: 'fake-secret', signName: '示例生殖中心' };
const wechat = { appId: 'wx0123456789abcdef', appSecret: 'fake-app-secret' };
const RECEIPT_TOKEN = 'aliyun-receipt-token-0123456789abcdef0123';

function approved(provider: 'aliyun-sms' | 'wechat-template'): Record<string, string[]> {
  return Object.fromEntries([...content.providerTemplates.get(provider)!.values()].map((t) => [t.code, t.params.map((p) => p.name)]));
}

describe('a patient reached and answered through real channel adapters (dev server, PostgreSQL, provider fakes)', () => {
  let api: ApiPlatform;
  let sms: Awaited<ReturnType<typeof startAliyunSmsFake>>;
  let wx: Awaited<ReturnType<typeof startWechatFake>>;
  let app: Awaited<ReturnType<typeof startFakeServer>>;
  const appReceived: Record<string, unknown>[] = [];
  const request = enrollmentRequest({ program: 'test.communication', anchors: { start: new Date().toISOString() } });
  const http = (method: string, url: string, options: Parameters<typeof call>[3] = {}) => call(api.url, method, url, options);

  beforeAll(async () => {
    sms = await startAliyunSmsFake({ ...aliyun, templates: approved('aliyun-sms') });
    wx = await startWechatFake({ ...wechat, followers: [], unfollowed: [request.patient.wechatOpenId], templates: approved('wechat-template') });
    app = await startFakeServer((_req, body) => {
      appReceived.push(JSON.parse(body) as Record<string, unknown>);
      return { body: { id: `app-${appReceived.length}` } };
    });
    api = await startApiPlatform({
      CAREPATH_PATHWAYS_DIR: pathwaysDir,
      CAREPATH_CHANNEL_SMS_PROVIDER: 'aliyun-sms',
      CAREPATH_ALIYUN_SMS_ACCESS_KEY_ID: aliyun.accessKeyId,
      CAREPATH_ALIYUN_SMS_ACCESS_KEY_SECRET: aliyun.accessKeySecret,
      CAREPATH_ALIYUN_SMS_SIGN_NAME: aliyun.signName,
      CAREPATH_ALIYUN_SMS_ENDPOINT: sms.endpoint,
      CAREPATH_ALIYUN_SMS_RECEIPT_TOKEN: RECEIPT_TOKEN,
      CAREPATH_CHANNEL_WECHAT_PROVIDER: 'wechat-template',
      CAREPATH_WECHAT_APP_ID: wechat.appId,
      CAREPATH_WECHAT_APP_SECRET: wechat.appSecret,
      CAREPATH_WECHAT_API_BASE: wx.apiBase,
      CAREPATH_CHANNEL_APP_URL: `http://${app.host}/push`,
    });
  });
  afterAll(async () => {
    await api?.stop();
    await Promise.all([sms?.close(), wx?.close(), app?.close()]);
  });

  it('falls back from a refusing WeChat to the neutral SMS, records its receipt, and delivers the answer to her SMS reply', async () => {
    const created = await http('POST', '/v1/enrollments', { key: api.keys.coordinator, body: request });
    expect(created.status, JSON.stringify(created.body)).toBe(201);
    const enrollmentId = created.body.id as string;
    const { name, phone } = request.patient;

    // WeChat refuses (43004): the SMS goes at once, as the sensitive template's neutral text, carrying only her name.
    await eventually(async () => expect(sms.sent.filter((m) => m.phone === phone)).toHaveLength(1), 20_000);
    const [text] = sms.sent.filter((m) => m.phone === phone);
    expect(text).toMatchObject({ templateCode: 'SMS_900000101', params: { name }, signName: aliyun.signName });
    expect(wx.sent).toHaveLength(0);
    const messages = async () => (await http('GET', `/v1/enrollments/${enrollmentId}/messages`, { key: api.keys.coordinator })).body.items;
    expect((await messages()).map((m: { channel: string; status: string; passedTo: string | null }) => [m.channel, m.status, m.passedTo])).toEqual([
      ['wechat', 'passed-on', 'sms'],
      ['sms', 'sent', null],
    ]);
    const moves = (await listJourneyEvents(api.database.db, enrollmentId)).filter((e) => e.type === 'fallback').map((e) => e.details);
    expect(moves).toEqual([expect.objectContaining({ from: 'wechat', to: 'sms' })]);

    // Aliyun's receipt arrives (SmsReport push): the SMS reached her phone.
    const receipt = [
      {
        phone_number: phone,
        send_time: '2026-12-06 10:00:00',
        report_time: '2026-12-06 10:00:05',
        success: true,
        err_code: 'DELIVRD',
        err_msg: '用户接收成功',
        sms_size: '1',
        biz_id: text!.bizId,
        out_id: text!.outId,
      },
    ];
    expect((await http('POST', `/channels/aliyun-sms/receipts?token=${RECEIPT_TOKEN}`, { body: receipt })).status).toBe(200);
    expect((await messages()).find((m: { channel: string }) => m.channel === 'sms')).toMatchObject({ delivery: 'delivered', deliveryCode: 'DELIVRD' });

    // She replies by SMS (SmsUp push): an inquiry for her butler.
    const reply = [
      { phone_number: phone, content: '收到，取卵前一天晚上可以吃东西吗？', send_time: '2026-12-06 10:05:00', dest_code: '01', sequence_id: 5550001 },
    ];
    expect((await http('POST', `/channels/aliyun-sms/replies?token=${RECEIPT_TOKEN}`, { body: reply })).body).toEqual({ code: 0, msg: '接收成功' });
    const inquiry = await api.database.db.selectFrom('inquiries').selectAll().where('enrollment_id', '=', enrollmentId).executeTakeFirstOrThrow();
    expect(inquiry).toMatchObject({ channel: 'sms', question: '收到，取卵前一天晚上可以吃东西吗？' });

    // The butler answers: WeChat refuses again, the app delivers it; no SMS carries it.
    const answered = await http('POST', `/v1/tasks/${inquiry.task_id}/complete`, {
      key: api.keys.butler,
      body: { data: { reply: '已转生殖中心护士，护士会按医嘱告诉您禁食时间。' } },
    });
    expect(answered.status, JSON.stringify(answered.body)).toBe(200);
    await eventually(async () => {
      const read = await http('GET', `/v1/inquiries/${inquiry.id}`, { key: api.keys.butler });
      expect(read.body.replyMessages.map((m: { channel: string; status: string }) => [m.channel, m.status])).toEqual([
        ['wechat', 'failed'],
        ['app', 'sent'],
      ]);
    }, 20_000);
    const pushed = appReceived.filter((m) => m['templateId'] === 'inquiry_reply');
    expect(pushed).toHaveLength(1);
    expect(pushed[0]).toMatchObject({ recipient: { kind: 'app-user', address: request.patient.appUserId }, preview: '您有一条新的健康服务消息，请打开查看。' });
    expect(String(pushed[0]!['text'])).toContain('已转生殖中心护士');
    expect(sms.sent.filter((m) => m.phone === phone)).toHaveLength(1);
  });
});
