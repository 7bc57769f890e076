import { createHash } from 'node:crypto';
import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance } from 'fastify';
import { CarepathError } from '../../errors/carepath-error.ts';

/** Default requests per minute and caller. */
export const DEFAULT_RATE_LIMIT_PER_MINUTE = 600;

/**
 * Limits requests per minute and caller: by API key when one is sent (hashed, never kept in
 * clear), else by address. `/health` is exempt (load balancers probe it). 429 in the one error format.
 */
export async function registerRateLimit(app: FastifyInstance, perMinute: number): Promise<void> {
  await app.register(rateLimit, {
    max: perMinute,
    timeWindow: 60_000,
    allowList: (request) => request.url === '/health',
    keyGenerator: (request) => {
      const header = request.headers.authorization;
      return header ? `key:${createHash('sha256').update(header).digest('hex').slice(0, 32)}` : `ip:${request.ip}`;
    },
    errorResponseBuilder: (_request, context) =>
      new CarepathError('rate-limited', `too many requests: at most ${context.max} a minute; retry in ${context.after}`, {
        limit: context.max,
        retryAfter: context.after,
      }),
  });
}
