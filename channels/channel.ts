import type { Recipient } from './recipients.ts';

/**
 * One outgoing message as a channel adapter sees it: the patient by pseudonymous reference, and
 * the recipient the send activity resolved for this channel.
 */
export interface OutboundMessage {
  /** Stable per journey, step occurrence and channel; adapters pass it on so providers drop repeats. */
  idempotencyKey: string;
  channel: string;
  audience: string;
  patientRef: string;
  templateId: string;
  /** The rendered text, for channels that carry free text (a webhook, an app, a log). */
  text: string;
  /**
   * The values of the placeholders the text uses, as the patient reads them (`appointment_at` →
   * `3月14日 09:15`): what a provider template carries as its parameters (Chinese SMS and WeChat
   * template messages send approved templates, not free text). Only what the text shows: a
   * sensitive template's neutral SMS text shows no more than the name.
   */
  fields: Record<string, string>;
  /**
   * What a notification may show on the lock screen or in a preview: the text, or for a
   * sensitive template (IVF, mental health, loss) a neutral text with no more than the name. An
   * app's push or a gateway's banner shows this, never `text`.
   */
  preview: string;
  urgent: boolean;
  /**
   * An earlier attempt failed or died after it may have reached the provider: an adapter whose
   * provider drops no repeats by itself checks the provider's send records before sending again.
   */
  mayHaveBeenSent: boolean;
  /** Where to deliver (a mobile number, an openid, an app user, a staff role): never logged or stored. */
  recipient?: Recipient;
}

/** A way to reach people: WeChat, SMS, a phone call task, in-app, a webhook, a log. */
export interface Channel {
  readonly name: string;
  /**
   * The provider's delivery receipts reach the platform (its callback is configured): a sent
   * message is delivered only when its receipt says so. Otherwise the provider's acceptance is
   * all there is to know, and a preference order of channels moves on only when a send fails.
   */
  readonly reportsDelivery?: boolean;
  /** Delivers the message or throws; must be safe to call again with the same idempotency key. */
  deliver(message: OutboundMessage): Promise<{ providerMessageId: string }>;
}

/** What a provider's answer classifies about a failure: its HTTP status and its own error code. */
export interface DeliveryFailureInfo {
  status?: number;
  providerCode?: string;
}

/**
 * A failed delivery an adapter understood. Its `info` is all that is kept or passed on: a
 * provider's error text may quote the rendered message, and with it the patient's name.
 */
export class DeliveryError extends Error {
  override name = 'DeliveryError';
  constructor(
    message: string,
    readonly info: DeliveryFailureInfo = {},
  ) {
    super(message);
  }
}

/** Thrown for a failure that retrying will not cure (a rejected recipient, a bad request). */
export class PermanentDeliveryError extends DeliveryError {
  override name = 'PermanentDeliveryError';
}

const SAFE_TOKEN = /^[A-Za-z0-9_.:-]{1,64}$/;

/** A provider's error code, if it is a short token (never free text). */
export function providerCode(value: unknown): string | undefined {
  const text = typeof value === 'number' ? String(value) : value;
  return typeof text === 'string' && SAFE_TOKEN.test(text) ? text : undefined;
}

/**
 * The one description of a failed delivery that is stored (the outbox row's `last_error`) and
 * propagated (the activity failure): the channel, the status and provider code, or the error's
 * class and system code (`TimeoutError`, `ECONNREFUSED`) — never an error's message.
 */
export function describeDeliveryFailure(channel: string, err: unknown): string {
  if (err instanceof DeliveryError) {
    const { status, providerCode: code } = err.info;
    const what = status !== undefined ? `gateway answered ${status}` : 'gateway refused the message';
    return `${channel}: ${what}${code ? ` (provider code ${code})` : ''}${err instanceof PermanentDeliveryError ? ', permanent' : ''}`;
  }
  const e = err as { name?: unknown; code?: unknown; cause?: { code?: unknown; name?: unknown } } | null;
  const name = providerCode(e?.cause?.name ?? e?.name) ?? 'error';
  const code = providerCode(e?.cause?.code ?? e?.code);
  return `${channel}: delivery failed, ${name}${code ? ` (${code})` : ''}`;
}
