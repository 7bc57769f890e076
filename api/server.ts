import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from '../logging/logger.ts';
import { app } from './app.ts';
import type { AppDeps } from './deps.ts';

/** Builds the Fastify server around the app plugin (not listening yet). */
export async function buildServer(deps: AppDeps, logger: Logger): Promise<FastifyInstance> {
  const server = Fastify({ loggerInstance: logger.child({ component: 'api' }) as FastifyBaseLogger, bodyLimit: 1_048_576 });
  await server.register(app, { deps });
  return server;
}
