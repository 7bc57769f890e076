// What a butler's answer to an inquiry may say, and which channels carry it to the patient. Pure.
import { CarepathError } from '../../errors/carepath-error.ts';
import type { DataValue } from '../../pathway/model/journey.ts';

/** How the answer reached the patient: a message the platform sends, or words said on the phone or in person. */
export const REPLY_VIA = ['message', 'phone', 'in-person'] as const;
export type ReplyVia = (typeof REPLY_VIA)[number];

/** The longest answer: a reply is a message, not a report. */
export const REPLY_MAX_LENGTH = 2000;

/** The channels that can carry a reply's text: WeChat (its mini-program page) and the app. SMS carries approved templates only. */
export const REPLY_CHANNELS = ['wechat', 'app'] as const;

/** The template a reply is sent with (sensitive: the lock screen shows a neutral text). */
export const REPLY_TEMPLATE = 'inquiry_reply';

export interface InquiryReply {
  reply: string;
  via: ReplyVia;
}

/**
 * The answer in a response task's data: `reply`, the text (required, not blank, at most
 * REPLY_MAX_LENGTH characters), and `via` (default: `phone` for a question asked on the phone,
 * otherwise `message`). Any other field is an `invalid-input` naming it.
 */
export function inquiryReplyOf(data: Record<string, DataValue>, askedOn: string | null): InquiryReply {
  const unknown = Object.keys(data).filter((k) => k !== 'reply' && k !== 'via');
  if (unknown.length) throw invalid(`an inquiry's answer has the fields reply and via, not ${unknown.join(', ')}`);
  const { reply, via } = data;
  if (typeof reply !== 'string' || reply.trim() === '') throw invalid('data.reply must be the answer to the patient, a non-empty text');
  if (reply.length > REPLY_MAX_LENGTH) throw invalid(`data.reply has ${reply.length} characters: at most ${REPLY_MAX_LENGTH}`);
  if (via !== undefined && !REPLY_VIA.includes(via as ReplyVia)) throw invalid(`data.via must be one of ${REPLY_VIA.join(', ')}`);
  return { reply: reply.trim(), via: (via as ReplyVia | undefined) ?? (askedOn === 'phone' ? 'phone' : 'message') };
}

/**
 * The preference order a reply goes by: the channel the question came on first when it can carry
 * the reply, then the other such channels, then `phone` (a call task for the butler). Each is
 * tried once it is known the one before cannot deliver (no contact point or consent, refused).
 */
export function replyChannels(askedOn: string | null): string[] {
  const first = REPLY_CHANNELS.filter((c) => c === askedOn);
  return [...first, ...REPLY_CHANNELS.filter((c) => c !== askedOn), 'phone'];
}

function invalid(message: string): CarepathError {
  return new CarepathError('invalid-input', message);
}
