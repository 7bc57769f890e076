import type { FastifyPluginAsync } from 'fastify';
import type { AppDeps } from './deps.ts';
import { installErrorHandler } from './plugins/error-handler.ts';
import { healthRoutes } from './routes/health.ts';

/** The carepath HTTP API as one Fastify plugin; server.ts boots it, tests inject into it. */
export const app: FastifyPluginAsync<{ deps: AppDeps }> = async (fastify, { deps }) => {
  installErrorHandler(fastify);
  await fastify.register(healthRoutes, { deps });
};
