/** The webhook channel keeps only a gateway's status and error code, never its text (channels/webhook-channel.ts). */
import { createServer, type Server } from 'node:http';
import type { AddressInfo } from 'node:net';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { DeliveryError, describeDeliveryFailure, PermanentDeliveryError, type OutboundMessage } from '../../channels/channel.ts';
import { createWebhookChannel } from '../../channels/webhook-channel.ts';

const message: OutboundMessage = {
  idempotencyKey: 'e1/notice#1/sms',
  channel: 'sms',
  audience: 'patient',
  patientRef: 'pt_1',
  templateId: 'visit_notice',
  text: '王小红您好，明天 08:30 产检',
  fields: { name: '王小红' },
  preview: '王小红您好，明天 08:30 产检',
  urgent: false,
  mayHaveBeenSent: false,
};

describe('webhook channel failures', () => {
  let server: Server;
  let url = '';
  /** What the gateway answers next: status and body. */
  let answer: { status: number; body: string } = { status: 200, body: '{"id":"g-1"}' };
  beforeAll(async () => {
    server = createServer((req, res) => {
      req.resume();
      req.on('end', () => res.writeHead(answer.status, { 'content-type': 'application/json' }).end(answer.body));
    });
    await new Promise<void>((r) => server.listen(0, '127.0.0.1', () => r()));
    url = `http://127.0.0.1:${(server.address() as AddressInfo).port}/send`;
  });
  afterAll(() => new Promise<void>((r) => server.close(() => r())));

  const failureOf = (status: number, body: string) => {
    answer = { status, body };
    return createWebhookChannel('sms', { url })
      .deliver(message)
      .then(
        () => null,
        (err: unknown) => err,
      );
  };

  it('classifies a 4xx as permanent with its provider code, and drops the quoted text', async () => {
    const err = await failureOf(400, JSON.stringify({ code: 'isv.TEMPLATE_PARAMS_ILLEGAL', message: `bad text: ${message.text}` }));
    expect(err).toBeInstanceOf(PermanentDeliveryError);
    expect((err as DeliveryError).info).toEqual({ status: 400, providerCode: 'isv.TEMPLATE_PARAMS_ILLEGAL' });
    expect((err as Error).message).not.toContain('王小红');
    expect(describeDeliveryFailure('sms', err)).toBe('sms: gateway answered 400 (provider code isv.TEMPLATE_PARAMS_ILLEGAL), permanent');
  });

  it('classifies a 5xx as retryable; a code that is free text is not kept', async () => {
    const err = await failureOf(503, JSON.stringify({ code: `王小红 ${message.text}` }));
    expect(err).toBeInstanceOf(DeliveryError);
    expect(err).not.toBeInstanceOf(PermanentDeliveryError);
    expect(describeDeliveryFailure('sms', err)).toBe('sms: gateway answered 503');
    const plain = await failureOf(502, `<html>${message.text}</html>`);
    expect(describeDeliveryFailure('sms', plain)).toBe('sms: gateway answered 502');
  });

  it('describes an unclassified error by its class and system code only, whatever its message says', () => {
    const refused = Object.assign(new TypeError('fetch failed'), { cause: Object.assign(new Error(`connect: ${message.text}`), { code: 'ECONNREFUSED' }) });
    expect(describeDeliveryFailure('wechat', refused)).toBe('wechat: delivery failed, Error (ECONNREFUSED)');
    expect(describeDeliveryFailure('wechat', new Error(message.text))).toBe('wechat: delivery failed, Error');
    expect(describeDeliveryFailure('wechat', 'a string')).toBe('wechat: delivery failed, error');
  });
});
