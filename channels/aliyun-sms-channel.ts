import dysmsapi, { QuerySendDetailsRequest, SendSmsRequest } from '@alicloud/dysmsapi20170525';
import { $OpenApiUtil } from '@alicloud/openapi-core';
import type { ProviderTemplate } from '../pathway/compiler/provider-templates.ts';
import type { Channel, OutboundMessage } from './channel.ts';
import { domesticMobile, providerTemplateParams, recentChinaDates, sdkFailure } from './provider-support.ts';

/** What the Aliyun SMS adapter needs: a RAM user's AccessKey allowed `dysms:SendSms` and `dysms:QuerySendDetails`, the approved sign name, and the template map. */
export interface AliyunSmsOptions {
  accessKeyId: string;
  accessKeySecret: string;
  signName: string;
  /** `dysmsapi.aliyuncs.com` unless the deployment uses another (a VPC endpoint, a local fake in tests). */
  endpoint?: string;
  protocol?: 'https' | 'http';
  templates: ReadonlyMap<string, ProviderTemplate>;
  timeoutMs?: number;
}

/**
 * The SDK is CommonJS with `exports.default`: Node's ESM loader gives the whole module as the
 * default import, a bundler-style loader (vitest) gives `exports.default` itself.
 */
type DysmsapiClass = typeof dysmsapi.default;
const loaded: unknown = dysmsapi;
const DysmsapiClient: DysmsapiClass = typeof loaded === 'function' ? (loaded as DysmsapiClass) : dysmsapi.default;

/**
 * Aliyun answer codes a later attempt may get past: throttling, quota and balance, Aliyun's own
 * faults, and a key or permission an operator is fixing. Any other code is about this message
 * (a number that is not a mobile, a parameter the template refuses): a person takes it over.
 */
const RETRYABLE =
  /^(isp\.|Throttling|ServiceUnavailable|InternalError|InvalidAccessKeyId|SignatureDoesNotMatch|Forbidden)|^isv\.(BUSINESS_LIMIT_CONTROL|DAY_LIMIT_CONTROL|AMOUNT_NOT_ENOUGH|ACCOUNT_ABNORMAL)$/;

/**
 * SMS through Aliyun (阿里云短信服务, API version 2017-05-25), with the official SDK: SendSms
 * with the approved template's code and its parameters as JSON, the outbox key as `OutId` (which
 * Aliyun's send records and receipts carry back). Aliyun drops no repeats by itself, so an
 * attempt after one that may have reached it first looks for its `OutId` in QuerySendDetails.
 */
export function createAliyunSmsChannel(options: AliyunSmsOptions): Channel {
  const timeout = options.timeoutMs ?? 10_000;
  const client = new DysmsapiClient(
    new $OpenApiUtil.Config({
      accessKeyId: options.accessKeyId,
      accessKeySecret: options.accessKeySecret,
      endpoint: options.endpoint ?? 'dysmsapi.aliyuncs.com',
      protocol: options.protocol ?? 'https',
      regionId: 'cn-hangzhou',
      connectTimeout: Math.min(timeout, 5_000),
      readTimeout: timeout,
    }),
  );

  async function alreadySent(phone: string, outId: string, now: Date): Promise<string | null> {
    for (const sendDate of recentChinaDates(now)) {
      const found = await client.querySendDetails(new QuerySendDetailsRequest({ phoneNumber: phone, sendDate, pageSize: 50, currentPage: 1 }));
      const records = found.body?.smsSendDetailDTOs?.smsSendDetailDTO ?? [];
      // SendStatus 2 is a failed delivery: that one may be sent again.
      if (records.some((r) => r.outId === outId && r.sendStatus !== 2)) return `aliyun:${outId}`;
    }
    return null;
  }

  return {
    name: 'sms',
    async deliver(message: OutboundMessage) {
      const { template, values } = providerTemplateParams('aliyun-sms', options.templates, message);
      const phone = domesticMobile(message);
      try {
        if (message.mayHaveBeenSent) {
          const found = await alreadySent(phone, message.idempotencyKey, new Date());
          if (found) return { providerMessageId: found };
        }
        const answer = await client.sendSms(
          new SendSmsRequest({
            phoneNumbers: phone,
            signName: options.signName,
            templateCode: template.code,
            templateParam: JSON.stringify(Object.fromEntries(values)),
            outId: message.idempotencyKey,
          }),
        );
        const body = answer.body;
        if (body?.code === 'OK' && body.bizId) return { providerMessageId: body.bizId };
        throw sdkFailure('aliyun-sms', { code: body?.code ?? 'no-code', statusCode: answer.statusCode }, RETRYABLE);
      } catch (err) {
        throw sdkFailure('aliyun-sms', err, RETRYABLE);
      }
    },
  };
}
