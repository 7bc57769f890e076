import { DeliveryError, PermanentDeliveryError, providerCode, type Channel, type OutboundMessage } from './channel.ts';

/**
 * POSTs each message as JSON to a gateway (the hospital's messaging front end, a WeChat or SMS
 * relay) with an `Idempotency-Key` header. 2xx: delivered; 4xx other than 408/429: permanent
 * failure; anything else: retried by the activity's retry policy.
 */
export function createWebhookChannel(name: string, options: { url: string; token?: string; timeoutMs?: number }): Channel {
  return {
    name,
    async deliver(message: OutboundMessage) {
      const response = await fetch(options.url, {
        method: 'POST',
        headers: {
          'content-type': 'application/json',
          'idempotency-key': message.idempotencyKey,
          ...(options.token ? { authorization: `Bearer ${options.token}` } : {}),
        },
        body: JSON.stringify(message),
        signal: AbortSignal.timeout(options.timeoutMs ?? 10_000),
      });
      const body = parseJson(await response.text());
      if (response.ok) {
        const id = body?.id;
        return { providerMessageId: typeof id === 'string' ? id : `${name}:${message.idempotencyKey}` };
      }
      // The status and the gateway's error code only: its text may quote the message.
      const code = providerCode(body?.code ?? body?.errcode ?? body?.error);
      const info = { status: response.status, ...(code ? { providerCode: code } : {}) };
      const reason = `${name} gateway answered ${response.status}`;
      if (response.status >= 400 && response.status < 500 && response.status !== 408 && response.status !== 429) {
        throw new PermanentDeliveryError(reason, info);
      }
      throw new DeliveryError(reason, info);
    },
  };
}

function parseJson(text: string): Record<string, unknown> | null {
  try {
    const value: unknown = JSON.parse(text);
    return value !== null && typeof value === 'object' ? (value as Record<string, unknown>) : null;
  } catch {
    return null;
  }
}
