import type { ProviderTemplate, TemplateProvider } from '../pathway/compiler/provider-templates.ts';
import { DeliveryError, PermanentDeliveryError, providerCode, type OutboundMessage } from './channel.ts';

/**
 * The approved template a message goes out as on `provider`, and its parameters' values in the
 * template's order. A message with no approved template, or without a value the template needs,
 * is a content fault no retry mends: `carepath validate` reports both before it can happen.
 */
export function providerTemplateParams(
  provider: TemplateProvider,
  templates: ReadonlyMap<string, ProviderTemplate>,
  message: OutboundMessage,
): { template: ProviderTemplate; values: [string, string][] } {
  const template = templates.get(message.templateId);
  if (!template) throw new PermanentDeliveryError(`${provider}: no approved template for ${message.templateId}`, { providerCode: 'no-provider-template' });
  const values: [string, string][] = [];
  for (const param of template.params) {
    const value = message.fields[param.variable];
    if (value === undefined)
      throw new PermanentDeliveryError(`${provider}: ${message.templateId} has no value for ${param.name}`, { providerCode: 'missing-parameter' });
    values.push([param.name, value]);
  }
  return { template, values };
}

const CHINA_MOBILE = /^(?:\+86|0086|86)?(1[3-9][0-9]{9})$/;

/** The recipient's mainland mobile number, 11 digits (as Aliyun's domestic SendSms takes it). */
export function domesticMobile(message: OutboundMessage): string {
  const digits = message.recipient?.kind === 'mobile' ? CHINA_MOBILE.exec(message.recipient.address.replace(/[\s-]/g, ''))?.[1] : undefined;
  if (!digits) throw new PermanentDeliveryError(`${message.channel}: no mainland mobile number to send to`, { providerCode: 'invalid-mobile' });
  return digits;
}

/** The recipient's mobile number in E.164 (+86…), as Tencent Cloud's SendSms takes it. */
export function e164Mobile(message: OutboundMessage): string {
  return `+86${domesticMobile(message)}`;
}

/**
 * A provider SDK's failure, classified: a provider code matching `retryable` or an HTTP status
 * of 429 or 5xx may pass on a later attempt (DeliveryError); any other provider code will not
 * (PermanentDeliveryError: a person is given the message); no provider code at all (a refused
 * connection, a timeout) is passed on as it is, for the activity to retry. Only the status and
 * the code are kept: a provider's message may quote the text.
 */
export function sdkFailure(provider: string, err: unknown, retryable: RegExp): unknown {
  if (err instanceof DeliveryError) return err;
  const e = err as { code?: unknown; statusCode?: unknown; httpCode?: unknown } | null;
  const code = providerCode(e?.code);
  const rawStatus = e?.statusCode ?? e?.httpCode;
  const status = typeof rawStatus === 'number' && rawStatus >= 100 ? rawStatus : undefined;
  const info = { ...(status !== undefined ? { status } : {}), ...(code ? { providerCode: code } : {}) };
  if (code === undefined || /^E[A-Z]+$/.test(code)) return err instanceof Error ? err : new DeliveryError(`${provider} answered without a code`, info);
  const reason = `${provider} answered ${code}`;
  if (retryable.test(code) || status === 429 || (status !== undefined && status >= 500)) return new DeliveryError(reason, info);
  return new PermanentDeliveryError(reason, info);
}

const CHINA_OFFSET_MS = 8 * 3_600_000;

/** The China calendar date of an instant as yyyyMMdd. */
function chinaDate(at: Date): string {
  return new Date(at.getTime() + CHINA_OFFSET_MS).toISOString().slice(0, 10).replaceAll('-', '');
}

/**
 * The China calendar dates (yyyyMMdd) an earlier attempt of a message may have been sent on:
 * its retries span well under an hour, so today, and yesterday too in the first hour of a day.
 */
export function recentChinaDates(now: Date): string[] {
  return [...new Set([chinaDate(now), chinaDate(new Date(now.getTime() - 3_600_000))])];
}
