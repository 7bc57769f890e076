import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { createAuthenticator, createGuard } from './auth/index.ts';
import { appendAudit } from '../db/repositories/audit-log.ts';
import { DeniedAccessAudit } from './audit/denials.ts';
import type { AppDeps } from './deps.ts';
import { installErrorHandler } from './plugins/error-handler.ts';
import { registerMetrics } from './plugins/metrics.ts';
import { registerOpenApi } from './plugins/openapi.ts';
import { DEFAULT_RATE_LIMIT_PER_MINUTE, registerRateLimit } from './plugins/rate-limit.ts';
import { installBodyParsers, installTextGuard } from './plugins/validation.ts';
import { CODEC_ROLES, codecRoutes } from './routes/codec.ts';
import { codecSessionRoutes, OperatorSessions } from './routes/codec-session.ts';
import { consoleRoutes } from './routes/console.ts';
import { healthRoutes } from './routes/health.ts';
import { receiptRoutes } from './routes/receipts.ts';
import { channelMessageRoutes } from './routes/channel-messages.ts';
import { v1Routes } from './routes/v1.ts';

/** Origin of the Temporal Web UI of the embedded dev server. */
export const DEFAULT_TEMPORAL_UI_ORIGIN = 'http://127.0.0.1:8233';

/** The carepath HTTP API as one Fastify plugin; server.ts boots it, tests inject into it. */
export const app: FastifyPluginAsync<{ deps: AppDeps }> = async (fastify, { deps }) => {
  const denials = new DeniedAccessAudit(deps.db);
  fastify.addHook('onClose', () => denials.close());
  installErrorHandler(fastify, denials);
  installBodyParsers(fastify);
  installTextGuard(fastify);
  const authenticator = createAuthenticator(deps.db);
  fastify.decorateRequest('principal', null);
  await registerOpenApi(fastify);
  const limits = await registerRateLimit(fastify, deps.limits?.rateLimitPerMinute ?? DEFAULT_RATE_LIMIT_PER_MINUTE);
  const authorize = createGuard(authenticator, limits);
  registerMetrics(fastify, deps.db, authorize);
  await fastify.register(healthRoutes, { deps });
  await fastify.register(v1Routes, { prefix: '/v1', deps, authorize, authenticator });
  await fastify.register(receiptRoutes, { deps });
  await fastify.register(channelMessageRoutes, { deps });
  if (deps.console) await fastify.register(consoleRoutes, { dir: deps.console.dir });
  if (deps.codec) {
    const sessions = new OperatorSessions(deps.db);
    // A bearer key only: the console's session cookie (Path=/, and cookies ignore ports) reaches the
    // Web UI's origin too, and must not stand in for, or block, the operator's codec session.
    const authorizeBearer = async (request: FastifyRequest) => {
      const match = /^Bearer\s+(\S+)\s*$/i.exec(request.headers.authorization ?? '');
      const principal = match ? await authenticator.byKey(match[1]!) : null;
      return principal ? { id: principal.clientId, roles: [principal.role] } : null;
    };
    await fastify.register(codecSessionRoutes, { sessions, authorizeBearer, roles: CODEC_ROLES });
    await fastify.register(codecRoutes, {
      codec: deps.codec.codec,
      allowedOrigins: deps.codec.allowedOrigins,
      // A bearer key (CLI, scripts, https) or an operator's browser session (the Web UI over http).
      authorize: async (request) => (await authorizeBearer(request)) ?? sessions.fromRequest(request),
      audit: (entry) =>
        appendAudit(deps.db, {
          actor: entry.actor,
          actorRole: entry.actorRoles.join(','),
          action: entry.action,
          resourceType: 'temporal-payload',
          resourceId: null,
          sourceIp: entry.sourceIp,
          details: { namespace: entry.namespace, payloadCount: entry.payloadCount },
        }),
    });
  }
};
