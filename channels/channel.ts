/**
 * One outgoing message as a channel adapter sees it. It names the patient by pseudonymous
 * reference only: the adapter (or the gateway behind it) resolves the address.
 */
export interface OutboundMessage {
  /** Stable per journey, step occurrence and channel; adapters pass it on so providers drop repeats. */
  idempotencyKey: string;
  channel: string;
  audience: string;
  patientRef: string;
  templateId: string;
  text: string;
  urgent: boolean;
}

/** A way to reach people: WeChat, SMS, a phone call task, in-app, a webhook, a log. */
export interface Channel {
  readonly name: string;
  /** Delivers the message or throws; must be safe to call again with the same idempotency key. */
  deliver(message: OutboundMessage): Promise<{ providerMessageId: string }>;
}

/** Thrown for a failure that retrying will not cure (a rejected recipient, a bad request). */
export class PermanentDeliveryError extends Error {
  override name = 'PermanentDeliveryError';
}
