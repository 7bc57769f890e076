import type { FastifyError, FastifyInstance, FastifyReply, FastifyRequest } from 'fastify';
import { CarepathError } from '../../errors/carepath-error.ts';
import type { DeniedAccessAudit } from '../audit/denials.ts';
import { timeFormatHint } from './validation.ts';

/** The one error body every route answers with. */
export const errorBodySchema = {
  type: 'object',
  required: ['error', 'message'],
  properties: {
    error: { type: 'string', description: 'stable machine-readable reason' },
    message: { type: 'string', description: 'what was wrong, for a person' },
    details: {},
  },
} as const;

/** Fastify's own 4xx errors under names a client can act on. */
const FASTIFY_CODES: Record<string, string> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'payload-too-large',
  FST_ERR_CTP_INVALID_JSON_BODY: 'invalid-json',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'invalid-json',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported-media-type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'invalid-content-length',
};

/**
 * Maps every error to `{ error, message, details }`: a CarepathError with its code's status
 * (errors/carepath-error.ts); a platform fault (5xx) is logged and keeps its code but not its
 * internals; anything else is 500 without internals.
 */
export function installErrorHandler(app: FastifyInstance, denials?: DeniedAccessAudit): void {
  const routes = new RouteTable();
  app.addHook('onRoute', (route) => routes.add(route.url, route.method));
  const answerNoRoute = (request: FastifyRequest, reply: FastifyReply) => {
    const path = request.url.split('?')[0]!;
    const allowed = routes.methodsFor(path);
    if (allowed.length === 0) return reply.status(404).send({ error: 'not-found', message: `no route ${request.method} ${path}`, details: null });
    const err = new CarepathError('method-not-allowed', `${request.method} is not allowed on ${path}; it takes ${allowed.join(', ')}`, { allowed });
    return reply.status(err.httpStatus).header('allow', allowed.join(', ')).send({ error: err.code, message: err.message, details: err.details });
  };
  app.setErrorHandler(async (err: FastifyError | CarepathError, request, reply) => {
    if (err instanceof CarepathError) {
      const status = err.httpStatus;
      // Every refusal of a known caller is audited: a role's, and another butler's patient.
      if (err.code === 'forbidden' && request.principal && denials) await denials.record(deniedEntry(request, err, 'access.denied'));
      // A 409 to an identity write says whether a phone or ID number is on record: each such answer is audited too.
      if (IDENTITY_CONFLICTS.has(err.code) && IDENTITY_WRITES.has(routeOf(request)) && request.principal && denials) {
        await denials.record(deniedEntry(request, err, 'identity.conflict'));
      }
      if (status >= 500) {
        request.log.error({ err }, 'request failed');
        // A dependency that is down is said as it is; any other fault keeps its internals in the log.
        if (status === 503) return reply.status(status).send({ error: err.code, message: err.message, details: err.details ?? null });
        return reply.status(status).send({ error: err.code, message: `internal error (${err.code}); see the server log`, details: null });
      }
      return reply.status(status).send({ error: err.code, message: err.message, details: err.details ?? null });
    }
    // Fastify's errors on the not-found route before its handler runs (a QUERY without Content-Type) are about a route that does not exist.
    if (request.is404) return answerNoRoute(request, reply);
    if (err.validation) {
      return reply.status(400).send({ error: 'invalid-request', message: err.message + timeFormatHint(err.validation), details: err.validation });
    }
    const status = err.statusCode ?? 500;
    if (status < 500) {
      const code =
        (err.code && FASTIFY_CODES[err.code]) ??
        err.code
          ?.toLowerCase()
          .replace(/^fst_err_/, '')
          .replace(/_/g, '-') ??
        'bad-request';
      return reply.status(status).send({ error: code, message: err.message, details: null });
    }
    request.log.error({ err }, 'request failed');
    return reply.status(500).send({ error: 'internal', message: 'internal error; see the server log', details: null });
  });
  app.setNotFoundHandler(answerNoRoute);
}

/** The paths the app serves and their methods, so a known path asked with another method answers 405 with Allow. */
class RouteTable {
  private readonly routes: { pattern: RegExp; methods: Set<string> }[] = [];

  add(url: string, method: string | string[]): void {
    const source = url
      .split('/')
      .map((segment) => (segment.startsWith(':') ? '[^/]+' : segment === '*' ? '.*' : segment.replace(/[.*+?^${}()|[\]\\]/g, '\\$&')))
      .join('/');
    const known = this.routes.find((r) => r.pattern.source === `^${source}$`);
    const entry = known ?? { pattern: new RegExp(`^${source}$`), methods: new Set<string>() };
    for (const m of [method].flat()) entry.methods.add(m.toUpperCase());
    if (!known) this.routes.push(entry);
  }

  methodsFor(path: string): string[] {
    const methods = new Set<string>();
    for (const route of this.routes) if (route.pattern.test(path)) for (const m of route.methods) methods.add(m);
    return [...methods].sort();
  }
}

/** The longest path parameter the router takes; a longer one is refused before any route runs. */
export const MAX_PARAM_LENGTH = 1_024;

/** The router's own refusals (a URL it cannot decode, a parameter over MAX_PARAM_LENGTH) in the one error shape. */
export function answerRouterError(err: FastifyError, _request: FastifyRequest, reply: FastifyReply): void {
  const tooLong = err.code === 'FST_ERR_MAX_PARAM_LENGTH';
  void reply.status(tooLong ? 414 : 400).send({
    error: tooLong ? 'uri-too-long' : 'invalid-url',
    message: tooLong ? `a path segment is longer than ${MAX_PARAM_LENGTH} characters` : 'the path holds an invalid percent-encoding (not UTF-8)',
    details: null,
  });
}

/** The routes that take a patient's identity, and the refusals that tell their caller something about the records. */
const IDENTITY_WRITES = new Set(['POST /v1/enrollments', 'PATCH /v1/patients/:patientRef/identity']);
const IDENTITY_CONFLICTS = new Set<string>(['conflict', 'identity-mismatch']);

function routeOf(request: FastifyRequest): string {
  return `${request.method} ${request.routeOptions.url ?? request.url.split('?')[0]}`;
}

function deniedEntry(request: FastifyRequest, err: CarepathError, action: 'access.denied' | 'identity.conflict') {
  const principal = request.principal!;
  const permission = (err.details as { permission?: string } | undefined)?.permission;
  const target = request.params && Object.keys(request.params).length ? { target: request.params } : {};
  return {
    actor: principal.clientId,
    actorRole: principal.role,
    action,
    resourceType: 'route',
    resourceId: routeOf(request),
    sourceIp: request.ip,
    details: {
      ...(permission ? { permission } : {}),
      code: err.code,
      reason: err.message,
      ...target,
      ...(principal.butlerId ? { butlerId: principal.butlerId } : {}),
    },
  };
}
