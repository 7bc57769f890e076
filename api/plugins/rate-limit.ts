import rateLimit from '@fastify/rate-limit';
import type { FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { CarepathError } from '../../errors/carepath-error.ts';

/** Default requests per minute and API client. */
export const DEFAULT_RATE_LIMIT_PER_MINUTE = 600;
/**
 * An address may send this many times a client's limit: staff of a hospital share one address
 * behind its NAT, so the address limit only stops a flood; the client limit does the rest.
 */
const ADDRESS_FACTOR = 10;

/** The limit applied once the caller is known (the guard applies it). */
export interface CallerLimits {
  /** Counts a request of an authenticated API client, by its id (not by how the header is spelled); 429 beyond the limit. */
  client(request: FastifyRequest, reply: FastifyReply): Promise<void>;
}

type Limiter = ReturnType<FastifyInstance['createRateLimit']>;

/**
 * Rate limits in two stages: every request (401s, 404s and refusals included; `/health` exempt,
 * load balancers probe it) by client address before anything else, then by API client after
 * authentication and before the permission check. 429 in the one error format, with `Retry-After`.
 */
export async function registerRateLimit(app: FastifyInstance, perMinute: number): Promise<CallerLimits> {
  await app.register(rateLimit, { global: false, max: perMinute, timeWindow: 60_000 });
  const byAddress = app.createRateLimit({ max: perMinute * ADDRESS_FACTOR, keyGenerator: (r) => `ip:${r.ip}`, allowList: (r) => r.url === '/health' });
  const byClient = app.createRateLimit({ max: perMinute, keyGenerator: (r) => `client:${r.principal?.clientId ?? ''}` });
  app.addHook('onRequest', (request, reply) => enforce(byAddress, request, reply, 'from this address'));
  return { client: (request, reply) => enforce(byClient, request, reply, 'with this API key') };
}

async function enforce(limiter: Limiter, request: FastifyRequest, reply: FastifyReply, what: string): Promise<void> {
  const result = await limiter(request);
  if (result.isAllowed || !result.isExceeded) return;
  reply.header('retry-after', result.ttlInSeconds);
  throw new CarepathError('rate-limited', `too many requests ${what}: at most ${result.max} a minute; retry in ${result.ttlInSeconds} s`, {
    limit: result.max,
    retryAfter: result.ttlInSeconds,
  });
}
