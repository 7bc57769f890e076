import { isUtf8 } from 'node:buffer';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { RECEIPT_PROVIDERS, type ReceiptProvider } from '../../channels/receipts.ts';
import { smsRepliesOf, type AliyunSmsReply, type TencentSmsReply } from '../../channels/sms-replies.ts';
import {
  decryptWechatEnvelope,
  parseWechatXml,
  readWechatPush,
  verifyWechatSignature,
  wechatMessageText,
  type WechatServerConfig,
} from '../../channels/wechat-server.ts';
import { recordDeliveryReceipt } from '../../db/repositories/outbox.ts';
import { receivePatientMessage, type PatientMessageDeps } from '../../enrollment/inquiries/patient-message.ts';
import { CarepathError } from '../../errors/carepath-error.ts';
import type { AppDeps } from '../deps.ts';
import { errorResponses } from '../schemas/common.ts';
import { otherFields, sameToken } from './receipts.ts';

const MAX_XML_BYTES = 64 * 1024;
const MAX_REPLIES = 1_000;
const signed = {
  type: 'object',
  required: ['signature', 'timestamp', 'nonce'],
  properties: {
    signature: { type: 'string', maxLength: 64 },
    timestamp: { type: 'string', pattern: '^[0-9]{1,12}$' },
    nonce: { type: 'string', maxLength: 64 },
    echostr: { type: 'string', maxLength: 512 },
    openid: { type: 'string', maxLength: 128 },
    encrypt_type: { type: 'string', enum: ['aes', 'raw'] },
    msg_signature: { type: 'string', maxLength: 64 },
  },
} as const;
type SignedQuery = { signature: string; timestamp: string; nonce: string; echostr?: string; encrypt_type?: string; msg_signature?: string };

/** The replies each SMS provider pushes (its documented fields) and what it expects back. */
const REPLY_CONTRACTS = {
  'aliyun-sms': {
    summary: "Aliyun SMS replies (SmsUp HTTP batch push): each becomes the patient's inquiry, or joins her open one",
    body: {
      type: 'array',
      maxItems: MAX_REPLIES,
      items: {
        type: 'object',
        required: ['phone_number', 'content', 'sequence_id'],
        additionalProperties: otherFields,
        properties: {
          phone_number: { type: 'string', minLength: 1, maxLength: 32 },
          content: { type: 'string', maxLength: 4000 },
          send_time: { type: 'string', maxLength: 32 },
          sign_name: { type: 'string', maxLength: 64 },
          dest_code: { type: 'string', maxLength: 32 },
          sequence_id: { anyOf: [{ type: 'string', minLength: 1, maxLength: 32 }, { type: 'integer' }] },
        },
      },
    },
    answer: { type: 'object', properties: { code: { type: 'integer' }, msg: { type: 'string' } } },
    ok: { code: 0, msg: '接收成功' },
  },
  'tencent-sms': {
    summary: "Tencent Cloud SMS reply callback: the patient's reply becomes her inquiry, or joins her open one",
    body: {
      type: 'object',
      required: ['mobile', 'text'],
      additionalProperties: otherFields,
      properties: {
        mobile: { type: 'string', minLength: 1, maxLength: 32 },
        nationcode: { type: 'string', maxLength: 8 },
        text: { type: 'string', maxLength: 4000 },
        time: { type: 'integer' },
        sign: { type: 'string', maxLength: 64 },
        extend: { type: ['string', 'null'], maxLength: 32 },
      },
    },
    answer: { type: 'object', properties: { result: { type: 'integer' }, errmsg: { type: 'string' } } },
    ok: { result: 0, errmsg: 'OK' },
  },
} as const;

function messageDeps(deps: AppDeps): PatientMessageDeps {
  if (!deps.identity) throw new CarepathError('unavailable', 'patient identity is not configured on this server: messages cannot find their patient');
  return { db: deps.db, vault: deps.identity, client: deps.temporal.client, taskQueue: deps.temporal.taskQueue };
}

/**
 * What patients send through the channels: the Official Account's message endpoint (WeChat
 * messages, and TEMPLATESENDJOBFINISH, the receipt of a template message) and the SMS providers'
 * reply pushes. Each message becomes the patient's inquiry or joins her open one
 * (enrollment/inquiries/patient-message.ts); a push that came before changes nothing.
 */
export const channelMessageRoutes: FastifyPluginAsync<{ deps: AppDeps }> = async (app, { deps }) => {
  app.addContentTypeParser(['text/xml', 'application/xml'], { parseAs: 'buffer', bodyLimit: MAX_XML_BYTES }, (_request, body: Buffer, done) => {
    if (!isUtf8(body)) return done(new CarepathError('invalid-text', 'the body is not valid UTF-8'), undefined);
    done(null, body.toString('utf8'));
  });

  const wechat = (): WechatServerConfig => {
    if (!deps.wechatServer) throw new CarepathError('not-found', 'the WeChat message endpoint is not configured on this server (CAREPATH_WECHAT_SERVER_TOKEN)');
    return deps.wechatServer;
  };

  app.get<{ Querystring: SignedQuery }>(
    '/channels/wechat/messages',
    {
      schema: {
        summary: "The Official Account's URL check (服务器配置): echoes echostr when the signature is WeChat's",
        tags: ['channels'],
        querystring: { ...signed, required: [...signed.required, 'echostr'] },
        response: { 200: { type: 'string' }, ...errorResponses },
      },
    },
    async (request, reply) => {
      if (!verifyWechatSignature(wechat(), request.query, new Date())) throw new CarepathError('unauthorized', 'not signed with the account Token');
      return reply.type('text/plain').send(request.query.echostr);
    },
  );

  app.post<{ Querystring: SignedQuery; Body: string }>(
    '/channels/wechat/messages',
    {
      schema: {
        summary:
          "The Official Account's pushes: a patient's message becomes her inquiry (or joins her open one); TEMPLATESENDJOBFINISH is a template message's receipt",
        tags: ['channels'],
        querystring: signed,
        response: { 200: { type: 'string' }, ...errorResponses },
      },
    },
    async (request, reply) => {
      const fields = wechatFields(wechat(), request);
      const push = readWechatPush(fields);
      if (push.kind === 'message') {
        const { outcome, repeated } = await receivePatientMessage(messageDeps(deps), {
          provider: 'wechat-oa',
          providerMessageId: push.msgId,
          channel: 'wechat',
          from: { kind: 'wechat-openid', address: push.openid },
          text: wechatMessageText(push),
          receivedAt: push.createTime > 0 ? new Date(push.createTime * 1000) : new Date(),
        });
        request.log.info({ provider: 'wechat-oa', msgType: push.msgType, outcome, repeated }, 'patient message');
      } else if (push.kind === 'template-finished') {
        const matched = await recordDeliveryReceipt(deps.db, {
          channel: 'wechat',
          providerMessageId: push.msgId,
          delivery: push.delivered ? 'delivered' : 'undelivered',
          code: push.delivered ? null : push.status.replace(/[^A-Za-z0-9_.:-]+/g, '-').slice(0, 64),
          at: new Date(),
        });
        request.log.info({ provider: 'wechat-oa', delivered: push.delivered, matched }, 'delivery receipt');
      } else request.log.info({ provider: 'wechat-oa', msgType: push.msgType, event: push.event }, 'push not read');
      // WeChat takes "success" (or nothing) as handled; anything slower than 5 s it pushes again.
      return sendSuccess(reply);
    },
  );

  for (const provider of Object.keys(RECEIPT_PROVIDERS) as ReceiptProvider[]) {
    const contract = REPLY_CONTRACTS[provider];
    app.post<{ Querystring: { token: string }; Body: AliyunSmsReply[] | TencentSmsReply }>(
      `/channels/${provider}/replies`,
      {
        schema: {
          summary: contract.summary,
          tags: ['channels'],
          querystring: {
            type: 'object',
            required: ['token'],
            properties: { token: { type: 'string', minLength: 1, maxLength: 256 } },
            additionalProperties: false,
          },
          body: contract.body,
          response: { 200: contract.answer, ...errorResponses },
        },
      },
      async (request) => {
        // The receipt token authenticates the provider's replies as well: neither provider signs a push.
        const expected = deps.receiptTokens?.[provider];
        if (!expected) throw new CarepathError('not-found', `pushes from ${provider} are not configured on this server`);
        if (!sameToken(request.query.token, expected)) throw new CarepathError('unauthorized', `not the push token of ${provider}`);
        const body = Array.isArray(request.body) ? request.body : [request.body];
        const counts: Record<string, number> = {};
        for (const message of smsRepliesOf(provider, body, new Date())) {
          const { outcome } = await receivePatientMessage(messageDeps(deps), message);
          counts[outcome] = (counts[outcome] ?? 0) + 1;
        }
        request.log.info({ provider, replies: body.length, ...counts }, 'patient messages');
        return contract.ok;
      },
    );
  }
};

/** The push's fields, once its signature is checked (and, in secure mode, its envelope opened). */
function wechatFields(config: WechatServerConfig, request: FastifyRequest<{ Querystring: SignedQuery; Body: string }>): Record<string, string> {
  if (typeof request.body !== 'string' || request.body === '') throw new CarepathError('invalid-input', 'a WeChat push is an XML body');
  let outer: Record<string, string>;
  try {
    outer = parseWechatXml(request.body);
  } catch {
    throw new CarepathError('invalid-input', 'the body is not the XML of a WeChat push');
  }
  const now = new Date();
  if (!config.encodingAesKey) {
    if (!verifyWechatSignature(config, request.query, now)) throw new CarepathError('unauthorized', 'not signed with the account Token');
    return outer;
  }
  const encrypted = outer['Encrypt'];
  const msgSignature = request.query.msg_signature;
  if (encrypted === undefined || msgSignature === undefined)
    throw new CarepathError('unauthorized', 'the account is in secure mode: a push must be encrypted and carry msg_signature');
  if (!verifyWechatSignature(config, { ...request.query, signature: msgSignature }, now, encrypted)) {
    throw new CarepathError('unauthorized', 'not signed with the account Token');
  }
  try {
    return parseWechatXml(decryptWechatEnvelope(config, encrypted));
  } catch {
    throw new CarepathError('unauthorized', 'the envelope does not open with the EncodingAESKey for this account');
  }
}

function sendSuccess(reply: FastifyReply) {
  return reply.type('text/plain').send('success');
}
