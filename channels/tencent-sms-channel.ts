import { sms } from 'tencentcloud-sdk-nodejs-sms';
import type { ProviderTemplate } from '../pathway/compiler/provider-templates.ts';
import type { Channel, OutboundMessage } from './channel.ts';
import { e164Mobile, providerTemplateParams, sdkFailure } from './provider-support.ts';

/** What the Tencent Cloud SMS adapter needs: a CAM key allowed `sms:SendSms` and `sms:PullSmsSendStatusByPhoneNumber`, the SMS application, its approved sign, and the template map. */
export interface TencentSmsOptions {
  secretId: string;
  secretKey: string;
  /** The SMS application's SdkAppId (1400…). */
  sdkAppId: string;
  signName: string;
  region?: string;
  /** `sms.tencentcloudapi.com` unless the deployment uses another (a local fake in tests). */
  endpoint?: string;
  protocol?: 'https' | 'http';
  templates: ReadonlyMap<string, ProviderTemplate>;
  timeoutMs?: number;
}

/**
 * Tencent answer codes a later attempt may get past: Tencent's own faults, request and
 * per-number frequency limits, an empty SMS package, and a key or permission an operator is
 * fixing. Any other code (a wrong number, a template parameter refused, a number that
 * unsubscribed) is about this message: a person takes it over.
 */
const RETRYABLE = /^(InternalError|RequestLimitExceeded|LimitExceeded|AuthFailure|UnauthorizedOperation|FailedOperation\.InsufficientBalanceInSmsPackage)/;

/**
 * SMS through Tencent Cloud (腾讯云短信, API version 2021-01-11), with the official SDK: SendSms
 * with the approved template's id and its parameters in order, the outbox key as
 * `SessionContext` (returned in Tencent's status reports). Tencent drops no repeats by itself, so
 * an attempt after one that may have reached it first looks for its key among the number's
 * status reports of the last hour.
 */
export function createTencentSmsChannel(options: TencentSmsOptions): Channel {
  const client = new sms.v20210111.Client({
    credential: { secretId: options.secretId, secretKey: options.secretKey },
    region: options.region ?? 'ap-guangzhou',
    profile: {
      signMethod: 'TC3-HMAC-SHA256',
      httpProfile: {
        endpoint: options.endpoint ?? 'sms.tencentcloudapi.com',
        protocol: `${options.protocol ?? 'https'}://`,
        reqTimeout: Math.ceil((options.timeoutMs ?? 10_000) / 1000),
      },
    },
  });

  async function alreadySent(phone: string, sessionContext: string, now: Date): Promise<string | null> {
    const seconds = Math.floor(now.getTime() / 1000);
    const found = await client.PullSmsSendStatusByPhoneNumber({
      PhoneNumber: phone,
      SmsSdkAppId: options.sdkAppId,
      BeginTime: seconds - 3_600,
      EndTime: seconds,
      Offset: 0,
      Limit: 100,
    });
    const report = (found.PullSmsSendStatusSet ?? []).find((s) => s.SessionContext === sessionContext && s.ReportStatus !== 'FAIL');
    return report ? (report.SerialNo ?? `tencent:${sessionContext}`) : null;
  }

  return {
    name: 'sms',
    async deliver(message: OutboundMessage) {
      const { template, values } = providerTemplateParams('tencent-sms', options.templates, message);
      const phone = e164Mobile(message);
      try {
        if (message.mayHaveBeenSent) {
          const found = await alreadySent(phone, message.idempotencyKey, new Date());
          if (found) return { providerMessageId: found };
        }
        const answer = await client.SendSms({
          PhoneNumberSet: [phone],
          SmsSdkAppId: options.sdkAppId,
          SignName: options.signName,
          TemplateId: template.code,
          TemplateParamSet: values.map(([, value]) => value),
          SessionContext: message.idempotencyKey,
        });
        const status = answer.SendStatusSet?.[0];
        if (status?.Code === 'Ok' && status.SerialNo) return { providerMessageId: status.SerialNo };
        throw sdkFailure('tencent-sms', { code: status?.Code ?? 'no-status' }, RETRYABLE);
      } catch (err) {
        throw sdkFailure('tencent-sms', err, RETRYABLE);
      }
    },
  };
}
