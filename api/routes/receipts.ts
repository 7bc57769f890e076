import { timingSafeEqual } from 'node:crypto';
import type { FastifyPluginAsync } from 'fastify';
import { RECEIPT_PROVIDERS, receiptsOf, type AliyunSmsReport, type ReceiptProvider, type TencentSmsReport } from '../../channels/receipts.ts';
import { recordDeliveryReceipt } from '../../db/repositories/outbox.ts';
import { CarepathError } from '../../errors/carepath-error.ts';
import type { AppDeps } from '../deps.ts';
import { errorResponses } from '../schemas/common.ts';

const MAX_REPORTS = 1_000;
const token = { type: 'string', minLength: 1, maxLength: 256 } as const;
const shortText = { type: 'string', maxLength: 64 } as const;
/** The other fields a provider documents or adds (the number, send time, size, description): scalars, read by no one. */
export const otherFields = { anyOf: [{ type: 'string', maxLength: 1024 }, { type: 'number' }, { type: 'boolean' }, { type: 'null' }] } as const;

/** The reports each provider pushes (its documented fields; others it adds are ignored) and what it expects back. */
const CONTRACTS = {
  'aliyun-sms': {
    summary: 'Aliyun SMS delivery receipts (SmsReport HTTP push): a batch of reports, matched by biz_id or out_id (the outbox key)',
    report: {
      type: 'object',
      required: ['biz_id', 'success'],
      additionalProperties: otherFields,
      properties: {
        biz_id: { type: 'string', minLength: 1, maxLength: 128 },
        out_id: { type: 'string', maxLength: 256 },
        success: { type: 'boolean' },
        err_code: shortText,
        report_time: shortText,
      },
    },
    answer: { type: 'object', required: ['code', 'msg'], properties: { code: { type: 'integer' }, msg: { type: 'string' } } },
    ok: { code: 0, msg: '成功' },
  },
  'tencent-sms': {
    summary: 'Tencent Cloud SMS status callbacks: a batch of reports, matched by sid (the SerialNo SendSms answered)',
    report: {
      type: 'object',
      required: ['sid', 'report_status'],
      additionalProperties: otherFields,
      properties: {
        sid: { type: 'string', minLength: 1, maxLength: 128 },
        report_status: { type: 'string', enum: ['SUCCESS', 'FAIL'] },
        errmsg: shortText,
        user_receive_time: shortText,
      },
    },
    answer: { type: 'object', required: ['result', 'errmsg'], properties: { result: { type: 'integer' }, errmsg: { type: 'string' } } },
    ok: { result: 0, errmsg: 'OK' },
  },
} as const;

/** Whether a token given in a URL is the one configured (constant time). */
export function sameToken(given: string, expected: string): boolean {
  const a = Buffer.from(given);
  const b = Buffer.from(expected);
  return a.length === b.length && timingSafeEqual(a, b);
}

/**
 * Delivery receipts pushed by the SMS providers. Neither signs its push, so each is configured
 * with a long random token in the callback URL (`…/receipts?token=…`), compared in constant
 * time; a provider without a token configured has no receipt route (404). Receipts update the
 * outbox rows of sent messages; unknown ids are ignored (another deployment's, or a message
 * already purged), and the provider is answered as its contract says, so it stops retrying.
 */
export const receiptRoutes: FastifyPluginAsync<{ deps: AppDeps }> = async (app, { deps }) => {
  for (const provider of Object.keys(RECEIPT_PROVIDERS) as ReceiptProvider[]) {
    const contract = CONTRACTS[provider];
    app.post<{ Querystring: { token: string }; Body: (AliyunSmsReport | TencentSmsReport)[] }>(
      `/channels/${provider}/receipts`,
      {
        schema: {
          summary: contract.summary,
          tags: ['channels'],
          querystring: { type: 'object', required: ['token'], properties: { token }, additionalProperties: false },
          body: { type: 'array', maxItems: MAX_REPORTS, items: contract.report },
          response: { 200: contract.answer, ...errorResponses },
        },
      },
      async (request) => {
        const expected = deps.receiptTokens?.[provider];
        if (!expected) throw new CarepathError('not-found', `receipts from ${provider} are not configured on this server`);
        if (!sameToken(request.query.token, expected)) throw new CarepathError('unauthorized', `not a receipt token of ${provider}`);
        let matched = 0;
        for (const receipt of receiptsOf(provider, request.body, new Date())) if (await recordDeliveryReceipt(deps.db, receipt)) matched++;
        request.log.info({ provider, reports: request.body.length, matched }, 'delivery receipts');
        return contract.ok;
      },
    );
  }
};
