/** SMS through Aliyun, against a local fake of its documented contract (channels/aliyun-sms-channel.ts). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { createAliyunSmsChannel } from '../../channels/aliyun-sms-channel.ts';
import { DeliveryError, describeDeliveryFailure, PermanentDeliveryError, type OutboundMessage } from '../../channels/channel.ts';
import type { ProviderTemplate } from '../../pathway/compiler/provider-templates.ts';
import { startAliyunSmsFake } from '../support/fakes/aliyun-sms-fake.ts';

const templates = new Map<string, ProviderTemplate>([
  [
    'visit_notice',
    {
      templateId: 'visit_notice',
      code: 'SMS_465100001',
      params: [
        { name: 'name', variable: 'name' },
        { name: 'time', variable: 'appointment_at' },
      ],
    },
  ],
]);
const credentials = { accessKeyId: 'LTAI5tFakeKeyId', accessKeySecret: 'fake-secret-of-the-ram-user', signName: '示例妇幼保健院' };

let serial = 0;
function message(overrides: Partial<OutboundMessage> = {}): OutboundMessage {
  serial++;
  return {
    idempotencyKey: `enr-${serial}:visit_notice#1:sms`,
    channel: 'sms',
    audience: 'patient',
    patientRef: 'pt_1',
    templateId: 'visit_notice',
    text: '王小红您好，您的产检在3月14日 09:15。',
    fields: { name: '王小红', appointment_at: '3月14日 09:15' },
    preview: '王小红您好，您的产检在3月14日 09:15。',
    urgent: false,
    mayHaveBeenSent: false,
    recipient: { kind: 'mobile', address: `+86 1390000${String(serial).padStart(4, '0')}` },
    ...overrides,
  };
}

describe('Aliyun SMS channel', () => {
  let fake: Awaited<ReturnType<typeof startAliyunSmsFake>>;
  let channel: ReturnType<typeof createAliyunSmsChannel>;
  beforeAll(async () => {
    fake = await startAliyunSmsFake({ ...credentials, templates: { SMS_465100001: ['name', 'time'] } });
    channel = createAliyunSmsChannel({ ...credentials, endpoint: fake.host, protocol: 'http', templates, timeoutMs: 2_000 });
  });
  afterAll(() => fake?.close());

  it('sends the approved template with its parameters, signed, to the domestic number, with the outbox key as OutId', async () => {
    const m = message();
    const { providerMessageId } = await channel.deliver(m);
    const sent = fake.sent.at(-1)!;
    expect(providerMessageId).toBe(sent.bizId);
    expect(sent).toMatchObject({
      phone: m.recipient!.address.replace('+86 ', ''),
      signName: '示例妇幼保健院',
      templateCode: 'SMS_465100001',
      params: { name: '王小红', time: '3月14日 09:15' },
      outId: m.idempotencyKey,
    });
  });

  it('is refused by the fake when the secret is wrong, and that failure is retried, not handed over', async () => {
    const wrong = createAliyunSmsChannel({ ...credentials, accessKeySecret: 'not-the-secret', endpoint: fake.host, protocol: 'http', templates });
    const before = fake.sent.length;
    const err = await wrong.deliver(message()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DeliveryError);
    expect(err).not.toBeInstanceOf(PermanentDeliveryError);
    expect(describeDeliveryFailure('sms', err)).toBe('sms: gateway answered 400 (provider code SignatureDoesNotMatch)');
    expect(fake.sent.length).toBe(before);
  });

  it('sends once when the answer to an accepted message was lost: the retry finds its OutId in the send records', async () => {
    const m = message();
    fake.acceptThenDrop();
    const first = await channel.deliver(m).catch((e: unknown) => e);
    expect(first).toBeInstanceOf(Error);
    expect(fake.sent.filter((s) => s.outId === m.idempotencyKey)).toHaveLength(1);
    const retry = await channel.deliver({ ...m, mayHaveBeenSent: true });
    expect(retry.providerMessageId).toBe(`aliyun:${m.idempotencyKey}`);
    expect(fake.sent.filter((s) => s.outId === m.idempotencyKey)).toHaveLength(1);
  });

  it('sends again on a retry when the earlier attempt never reached Aliyun', async () => {
    const m = message({ mayHaveBeenSent: true });
    await channel.deliver(m);
    expect(fake.sent.filter((s) => s.outId === m.idempotencyKey)).toHaveLength(1);
  });

  it('classifies answers: a number or parameter Aliyun refuses is handed over; throttling and its own faults are retried', async () => {
    for (const [code, permanent] of [
      ['isv.MOBILE_NUMBER_ILLEGAL', true],
      ['isv.TEMPLATE_MISSING_PARAMETERS', true],
      ['isv.BUSINESS_LIMIT_CONTROL', false],
      ['isv.AMOUNT_NOT_ENOUGH', false],
      ['isp.SYSTEM_ERROR', false],
    ] as const) {
      fake.failWith(code);
      const err = await channel.deliver(message()).catch((e: unknown) => e);
      expect(err, code).toBeInstanceOf(DeliveryError);
      expect(err instanceof PermanentDeliveryError, code).toBe(permanent);
      expect(describeDeliveryFailure('sms', err)).toContain(`provider code ${code}`);
    }
    fake.failWith('ServiceUnavailable', 503);
    expect(await channel.deliver(message()).catch((e: unknown) => e)).not.toBeInstanceOf(PermanentDeliveryError);
  });

  it('refuses, for good, a message with no mainland mobile, no approved template or a missing value, without calling Aliyun', async () => {
    const before = fake.sent.length;
    const cases: Partial<OutboundMessage>[] = [
      { recipient: { kind: 'wechat-openid', address: 'oAbc' } },
      { recipient: { kind: 'mobile', address: '+44 7700 900123' } },
      { templateId: 'unmapped_notice' },
      { fields: { name: '王小红' } },
    ];
    for (const overrides of cases) await expect(channel.deliver(message(overrides))).rejects.toBeInstanceOf(PermanentDeliveryError);
    expect(fake.sent.length).toBe(before);
  });
});
