import type { FastifyError, FastifyInstance } from 'fastify';
import { CarepathError } from '../../config/errors.ts';

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

const STATUS_BY_CODE: Record<string, number> = {
  'not-found': 404,
  conflict: 409,
  'invalid-input': 422,
  forbidden: 403,
  unauthorized: 401,
  'rate-limited': 429,
  unavailable: 503,
};

/** Fastify's own 4xx errors under names a client can act on. */
const FASTIFY_CODES: Record<string, string> = {
  FST_ERR_CTP_BODY_TOO_LARGE: 'payload-too-large',
  FST_ERR_CTP_INVALID_JSON_BODY: 'invalid-json',
  FST_ERR_CTP_EMPTY_JSON_BODY: 'invalid-json',
  FST_ERR_CTP_INVALID_MEDIA_TYPE: 'unsupported-media-type',
  FST_ERR_CTP_INVALID_CONTENT_LENGTH: 'invalid-content-length',
};

/** Maps every error to `{ error, message, details }`: 4xx for bad input, 500 without internals otherwise. */
export function installErrorHandler(app: FastifyInstance): void {
  app.setErrorHandler((err: FastifyError | CarepathError, request, reply) => {
    if (err instanceof CarepathError) {
      return reply.status(STATUS_BY_CODE[err.code] ?? 400).send({ error: err.code, message: err.message, details: err.details ?? null });
    }
    if (err.validation) {
      return reply.status(400).send({ error: 'invalid-request', message: err.message, details: err.validation });
    }
    const status = err.statusCode ?? 500;
    if (status < 500) {
      const code = (err.code && FASTIFY_CODES[err.code]) ?? err.code?.toLowerCase().replace(/^fst_err_/, '').replace(/_/g, '-') ?? 'bad-request';
      return reply.status(status).send({ error: code, message: err.message, details: null });
    }
    request.log.error({ err }, 'request failed');
    return reply.status(500).send({ error: 'internal', message: 'internal error; see the server log', details: null });
  });
  app.setNotFoundHandler((request, reply) => {
    reply.status(404).send({ error: 'not-found', message: `no route ${request.method} ${request.url.split('?')[0]}`, details: null });
  });
}
