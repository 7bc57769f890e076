/** SMS through Tencent Cloud, against a local fake of its documented contract (channels/tencent-sms-channel.ts). */
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeliveryError, describeDeliveryFailure, PermanentDeliveryError, type OutboundMessage } from '../../channels/channel.ts';
import { createTencentSmsChannel } from '../../channels/tencent-sms-channel.ts';
import type { ProviderTemplate } from '../../pathway/compiler/provider-templates.ts';
import { startTencentSmsFake } from '../support/fakes/tencent-sms-fake.ts';

const templates = new Map<string, ProviderTemplate>([
  [
    'visit_notice',
    {
      templateId: 'visit_notice',
      code: '2051234',
      params: [
        { name: '1', variable: 'name' },
        { name: '2', variable: 'appointment_at' },
      ],
    },
  ],
]);
const credentials = { secretId: 'AKIDfakeSecretId', secretKey: 'fake-secret-key', sdkAppId: '1400876543', signName: '示例妇幼保健院' };

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
    recipient: { kind: 'mobile', address: `1380000${String(serial).padStart(4, '0')}` },
    ...overrides,
  };
}

describe('Tencent Cloud SMS channel', () => {
  let fake: Awaited<ReturnType<typeof startTencentSmsFake>>;
  let channel: ReturnType<typeof createTencentSmsChannel>;
  beforeAll(async () => {
    fake = await startTencentSmsFake({ ...credentials, templates: { '2051234': 2 } });
    channel = createTencentSmsChannel({ ...credentials, endpoint: fake.host, protocol: 'http', templates, timeoutMs: 2_000 });
  });
  afterAll(() => fake?.close());

  it('sends the approved template with its parameters in order, signed TC3, to the E.164 number, with the outbox key as SessionContext', async () => {
    const m = message();
    const { providerMessageId } = await channel.deliver(m);
    const sent = fake.sent.at(-1)!;
    expect(providerMessageId).toBe(sent.serialNo);
    expect(sent).toMatchObject({
      phone: `+86${m.recipient!.address}`,
      templateId: '2051234',
      params: ['王小红', '3月14日 09:15'],
      sessionContext: m.idempotencyKey,
    });
  });

  it('is refused when the key is wrong, and that failure is retried, not handed over', async () => {
    const wrong = createTencentSmsChannel({ ...credentials, secretKey: 'not-the-key', endpoint: fake.host, protocol: 'http', templates });
    const err = await wrong.deliver(message()).catch((e: unknown) => e);
    expect(err).toBeInstanceOf(DeliveryError);
    expect(err).not.toBeInstanceOf(PermanentDeliveryError);
    expect(describeDeliveryFailure('sms', err)).toContain('provider code AuthFailure.SignatureFailure');
  });

  it('sends once when the answer to an accepted message was lost: the retry finds its key in the number’s status reports', async () => {
    const m = message();
    fake.acceptThenDrop();
    await expect(channel.deliver(m)).rejects.toThrow();
    const retry = await channel.deliver({ ...m, mayHaveBeenSent: true });
    const sent = fake.sent.filter((s) => s.sessionContext === m.idempotencyKey);
    expect(sent).toHaveLength(1);
    expect(retry.providerMessageId).toBe(sent[0]!.serialNo);
  });

  it('classifies answers: a number or template Tencent refuses is handed over; limits and its own faults are retried', async () => {
    for (const [fault, code, permanent] of [
      ['number', 'InvalidParameterValue.IncorrectPhoneNumber', true],
      ['number', 'LimitExceeded.PhoneNumberDailyLimit', false],
      ['request', 'FailedOperation.TemplateIncorrectOrUnapproved', true],
      ['request', 'InternalError.Timeout', false],
      ['request', 'RequestLimitExceeded', false],
    ] as const) {
      if (fault === 'number') fake.refuseNumber(code);
      else fake.failWith(code);
      const err = await channel.deliver(message()).catch((e: unknown) => e);
      expect(err, code).toBeInstanceOf(DeliveryError);
      expect(err instanceof PermanentDeliveryError, code).toBe(permanent);
      expect(describeDeliveryFailure('sms', err)).toContain(`provider code ${code}`);
    }
  });

  it('refuses, for good, a message with no mainland mobile or no approved template, without calling Tencent', async () => {
    const before = fake.sent.length;
    await expect(channel.deliver(message({ recipient: { kind: 'app-user', address: 'app-1' } }))).rejects.toBeInstanceOf(PermanentDeliveryError);
    await expect(channel.deliver(message({ templateId: 'unmapped_notice' }))).rejects.toBeInstanceOf(PermanentDeliveryError);
    expect(fake.sent.length).toBe(before);
  });
});
