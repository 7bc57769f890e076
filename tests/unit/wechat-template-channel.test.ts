/** WeChat Official Account template messages, against a local fake of the documented API (channels/wechat-template-channel.ts). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeliveryError, describeDeliveryFailure, PermanentDeliveryError, type OutboundMessage } from '../../channels/channel.ts';
import { createWechatTemplateChannel, fitField } from '../../channels/wechat-template-channel.ts';
import type { ProviderTemplate } from '../../pathway/compiler/provider-templates.ts';
import { startWechatFake } from '../support/fakes/wechat-fake.ts';

const TEMPLATE = 'vX3fakeTemplateId_prenatalVisit0001';
const templates = new Map<string, ProviderTemplate>([
  [
    'visit_notice',
    {
      templateId: 'visit_notice',
      code: TEMPLATE,
      params: [
        { name: 'thing1', variable: 'name' },
        { name: 'time2', variable: 'appointment_at' },
        { name: 'thing3', variable: 'visit' },
      ],
      page: 'pages/message/index',
    },
  ],
]);
const account = { appId: 'wx0123456789abcdef', appSecret: 'fake-app-secret' };
const followers = ['oFollower_1', 'oFollower_2', 'oFollower_3'];

let serial = 0;
function message(overrides: Partial<OutboundMessage> = {}): OutboundMessage {
  serial++;
  return {
    idempotencyKey: `enr-${serial}:visit_notice#1:wechat`,
    channel: 'wechat',
    audience: 'patient',
    patientRef: 'pt_1',
    templateId: 'visit_notice',
    text: '王小红您好，您预约的NT检查在3月14日 09:15。',
    fields: { name: '王小红', appointment_at: '3月14日 09:15', visit: 'NT检查' },
    preview: '王小红您好，您预约的NT检查在3月14日 09:15。',
    urgent: false,
    mayHaveBeenSent: false,
    recipient: { kind: 'wechat-openid', address: followers[0]! },
    ...overrides,
  };
}

describe('WeChat template message channel', () => {
  let fake: Awaited<ReturnType<typeof startWechatFake>>;
  let channel: ReturnType<typeof createWechatTemplateChannel>;
  beforeAll(async () => {
    fake = await startWechatFake({ ...account, followers, unfollowed: ['oGone'], templates: { [TEMPLATE]: ['thing1', 'time2', 'thing3'] } });
    channel = createWechatTemplateChannel({ ...account, apiBase: fake.apiBase, miniProgramAppId: 'wxminiprogram0001', templates, timeoutMs: 2_000 });
  });
  afterAll(() => fake?.close());

  it('sends the approved template’s fields to the openid, opening the mini-program page, with the outbox key as client_msg_id', async () => {
    const m = message();
    const { providerMessageId } = await channel.deliver(m);
    const sent = fake.sent.at(-1)!;
    expect(providerMessageId).toBe(`wechat:${sent.msgid}`);
    expect(sent).toEqual({
      touser: followers[0],
      templateId: TEMPLATE,
      data: { thing1: '王小红', time2: '3月14日 09:15', thing3: 'NT检查' },
      miniprogram: { appid: 'wxminiprogram0001', pagepath: 'pages/message/index' },
      clientMsgId: m.idempotencyKey,
      msgid: sent.msgid,
    });
  });

  it('fetches one stable token for many messages, and a new one once the token is ended elsewhere', async () => {
    const fresh = createWechatTemplateChannel({ ...account, apiBase: fake.apiBase, templates });
    const before = fake.tokenRequests();
    for (const to of followers) await fresh.deliver(message({ recipient: { kind: 'wechat-openid', address: to } }));
    expect(fake.tokenRequests() - before).toBe(1);
    fake.revokeTokens();
    await fresh.deliver(message());
    expect(fake.tokenRequests() - before).toBe(2);
  });

  it('sends once when the answer was lost: WeChat drops the retry with the same client_msg_id', async () => {
    const m = message();
    const before = fake.sent.length;
    fake.acceptThenDrop();
    await expect(channel.deliver(m)).rejects.toThrow();
    await channel.deliver({ ...m, mayHaveBeenSent: true });
    expect(fake.sent.length - before).toBe(1);
  });

  it('hands over a message to someone who no longer follows the account or is not its follower; retries when WeChat is busy', async () => {
    for (const [address, code] of [
      ['oGone', '43004'],
      ['oStranger', '40003'],
    ]) {
      const err = await channel.deliver(message({ recipient: { kind: 'wechat-openid', address: address! } })).catch((e: unknown) => e);
      expect(err, code).toBeInstanceOf(PermanentDeliveryError);
      expect(describeDeliveryFailure('wechat', err)).toBe(`wechat: gateway refused the message (provider code ${code}), permanent`);
    }
    fake.failWith(-1);
    const busy = await channel.deliver(message()).catch((e: unknown) => e);
    expect(busy).toBeInstanceOf(DeliveryError);
    expect(busy).not.toBeInstanceOf(PermanentDeliveryError);
  });

  it('cuts a field to the length WeChat takes for its type, so the message is not refused', async () => {
    expect(fitField('thing3', '一二三四五六七八九十一二三四五六七八九十一')).toBe('一二三四五六七八九十一二三四五六七八九…');
    expect(fitField('time2', '2027年3月14日 09:15 至 2027年3月14日 11:15')).toBe('2027年3月14日 09:15 至 2027年3月14日 11:15');
    await channel.deliver(message({ fields: { name: '王小红', appointment_at: '3月14日 09:15', visit: '孕中期系统超声（大排畸）及胎儿心脏彩超检查' } }));
    expect([...fake.sent.at(-1)!.data['thing3']!].length).toBe(20);
  });

  it('is refused for a wrong AppSecret, which waits for an operator (retried), never for a patient', async () => {
    const wrong = createWechatTemplateChannel({ ...account, appSecret: 'wrong', apiBase: fake.apiBase, templates });
    const err = await wrong.deliver(message()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DeliveryError);
    expect(err).not.toBeInstanceOf(PermanentDeliveryError);
    expect(describeDeliveryFailure('wechat', err)).toContain('provider code 40125');
  });
});
