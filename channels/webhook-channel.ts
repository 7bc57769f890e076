import { PermanentDeliveryError, type Channel, type OutboundMessage } from './channel.ts';

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
      const body = await response.text();
      if (response.ok) {
        let id: unknown;
        try {
          id = (JSON.parse(body) as { id?: unknown }).id;
        } catch {
          id = undefined;
        }
        return { providerMessageId: typeof id === 'string' ? id : `${name}:${message.idempotencyKey}` };
      }
      const reason = `${name} gateway answered ${response.status}: ${body.slice(0, 200)}`;
      if (response.status >= 400 && response.status < 500 && response.status !== 408 && response.status !== 429) {
        throw new PermanentDeliveryError(reason);
      }
      throw new Error(reason);
    },
  };
}
