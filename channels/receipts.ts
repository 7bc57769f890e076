import type { DeliveryReceipt } from '../db/repositories/outbox.ts';
import { providerCode } from './channel.ts';

/** The providers whose delivery receipts the platform receives, and the channel each reports on. */
export const RECEIPT_PROVIDERS = { 'aliyun-sms': 'sms', 'tencent-sms': 'sms' } as const;
export type ReceiptProvider = keyof typeof RECEIPT_PROVIDERS;

/** One report of Aliyun's SmsReport HTTP push (a batch is a JSON array of these). */
export interface AliyunSmsReport {
  biz_id: string;
  out_id?: string;
  success: boolean;
  err_code?: string;
  report_time?: string;
}

/** One report of Tencent Cloud's SMS status callback (a batch is a JSON array of these). */
export interface TencentSmsReport {
  sid: string;
  report_status: string;
  errmsg?: string;
  user_receive_time?: string;
}

const CHINA_TIME = /^(\d{4}-\d{2}-\d{2}) (\d{2}:\d{2}:\d{2})$/;

/** A provider's `yyyy-MM-dd HH:mm:ss` in China time, or `fallback` when absent or malformed. */
export function chinaTime(value: string | undefined, fallback: Date): Date {
  const match = value ? CHINA_TIME.exec(value) : null;
  const at = match ? new Date(`${match[1]}T${match[2]}+08:00`) : fallback;
  return Number.isNaN(at.getTime()) ? fallback : at;
}

/**
 * Receipts as stored: the provider's id (and Aliyun's `out_id`, the outbox key), delivered or
 * not, the code as a short token and the time. The phone number and the providers' texts
 * (`err_msg`, `description`) are dropped here.
 */
export function receiptsOf(provider: ReceiptProvider, reports: readonly (AliyunSmsReport | TencentSmsReport)[], now: Date): DeliveryReceipt[] {
  const channel = RECEIPT_PROVIDERS[provider];
  if (provider === 'aliyun-sms') {
    return (reports as AliyunSmsReport[]).map((r) => ({
      channel,
      providerMessageId: r.biz_id,
      ...(r.out_id ? { idempotencyKey: r.out_id } : {}),
      delivery: r.success ? 'delivered' : 'undelivered',
      code: providerCode(r.err_code) ?? null,
      at: chinaTime(r.report_time, now),
    }));
  }
  return (reports as TencentSmsReport[]).map((r) => ({
    channel,
    providerMessageId: r.sid,
    delivery: r.report_status === 'SUCCESS' ? 'delivered' : 'undelivered',
    code: providerCode(r.errmsg) ?? null,
    at: chinaTime(r.user_receive_time, now),
  }));
}
