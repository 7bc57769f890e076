// Patients' SMS replies as the providers push them (上行短信): Aliyun's SmsUp HTTP batch push and
// Tencent Cloud's reply callback, read into the platform's patient messages. Pure.
import { createHash } from 'node:crypto';
import type { PatientMessage } from '../enrollment/inquiries/patient-message.ts';
import { chinaTime, type ReceiptProvider } from './receipts.ts';

/** One reply of Aliyun's SmsUp push (a batch is a JSON array of these). */
export interface AliyunSmsReply {
  phone_number: string;
  content: string;
  send_time?: string;
  dest_code?: string;
  sequence_id: string | number;
}

/** Tencent Cloud's reply callback: one reply per call (a list is read as well). */
export interface TencentSmsReply {
  mobile: string;
  nationcode?: string;
  text: string;
  time?: number;
  sign?: string;
  extend?: string;
}

/**
 * The replies as patient messages: from the mobile number, with the provider's id of each
 * (Aliyun's sequence_id; Tencent sends none, so a digest of number, time and text, which is the
 * same when the same callback comes again).
 */
export function smsRepliesOf(provider: ReceiptProvider, body: readonly (AliyunSmsReply | TencentSmsReply)[], now: Date): PatientMessage[] {
  if (provider === 'aliyun-sms') {
    return (body as AliyunSmsReply[]).map((r) => ({
      provider,
      providerMessageId: String(r.sequence_id),
      channel: 'sms',
      from: { kind: 'mobile', address: r.phone_number },
      text: r.content,
      receivedAt: chinaTime(r.send_time, now),
    }));
  }
  return (body as TencentSmsReply[]).map((r) => {
    const address = !r.nationcode || r.nationcode === '86' ? r.mobile : `+${r.nationcode}${r.mobile}`;
    const at = typeof r.time === 'number' && r.time > 0 ? new Date(r.time * 1000) : now;
    const digest = createHash('sha256')
      .update(JSON.stringify([address, r.time ?? null, r.text]))
      .digest('hex')
      .slice(0, 40);
    return { provider, providerMessageId: digest, channel: 'sms', from: { kind: 'mobile', address }, text: r.text, receivedAt: at };
  });
}
