import Fastify, { type FastifyBaseLogger, type FastifyInstance } from 'fastify';
import type { Logger } from '../logging/logger.ts';
import { app } from './app.ts';
import { answerRouterError, MAX_PARAM_LENGTH } from './plugins/error-handler.ts';
import type { AppDeps } from './deps.ts';

/**
 * What the API's log never shows: credentials, and anything that could carry patient identity or
 * health values (bodies are not logged at all; these guard errors and custom log lines).
 */
export const API_LOG_REDACTIONS = [
  'req.headers.authorization',
  'req.headers["idempotency-key"]',
  'req.body',
  'body',
  'patient',
  '*.patient',
  'identity',
  'question',
  'values',
  'items',
  'data',
  'err.detail',
  'err.parameters',
  'err.where',
];

/** What a URL may carry that is never logged: a provider's receipt token, and the openid WeChat adds to its pushes (a contact point). */
const URL_SECRET = /([?&](?:token|openid)=)[^&]*/g;

/** The request as the log shows it: Fastify's fields, with any token in the URL censored. */
function requestForLog(req: { method?: string; url?: string; host?: string; ip?: string; socket?: { remotePort?: number } }) {
  return { method: req.method, url: req.url?.replace(URL_SECRET, '$1[redacted]'), host: req.host, remoteAddress: req.ip, remotePort: req.socket?.remotePort };
}

/** Builds the Fastify server around the app plugin (not listening yet). */
export async function buildServer(deps: AppDeps, logger: Logger, options: { trustProxy?: boolean } = {}): Promise<FastifyInstance> {
  const child = logger.child({ component: 'api' }, { redact: { paths: API_LOG_REDACTIONS, censor: '[redacted]' }, serializers: { req: requestForLog } });
  const server = Fastify({
    loggerInstance: child as FastifyBaseLogger,
    bodyLimit: 1_048_576,
    trustProxy: options.trustProxy ?? false,
    // Above the schemas' 128 characters, so a long id is refused by the route (401 first, then 400 naming the parameter), not by the router.
    routerOptions: { maxParamLength: MAX_PARAM_LENGTH },
    frameworkErrors: answerRouterError,
  });
  await server.register(app, { deps });
  return server;
}
