import type { PayloadCodec } from '@temporalio/common';
import type { FastifyPluginAsync, FastifyReply, FastifyRequest } from 'fastify';
import { CarepathError } from '../../errors/carepath-error.ts';
import { installStrictValidation } from '../plugins/validation.ts';
import { payloadFromJson, payloadToJson, type JsonPayload } from '../../temporal/codec/payload-json.ts';
import { asPlainJson } from '../../temporal/codec/pathway-reference-codec.ts';
import { errorBodySchema } from '../plugins/error-handler.ts';

/** Who called the codec endpoint, as the injected `authorize` resolves it. */
export interface CodecOperator {
  id: string;
  roles: string[];
}

/** What every encode and decode reports to the audit log. Never contains payload contents. */
export interface CodecAuditEntry {
  action: 'codec.decode' | 'codec.encode';
  actor: string;
  actorRoles: string[];
  namespace: string;
  payloadCount: number;
  sourceIp: string;
}

export interface CodecRoutesOptions {
  /** The payload codec the platform's clients and workers use. */
  codec: PayloadCodec;
  /** Resolves the caller from the request; `null` when it carries no valid credentials. */
  authorize: (request: FastifyRequest) => Promise<CodecOperator | null>;
  /** Records a completed encode or decode; the payloads are sent only after it resolves. */
  audit: (entry: CodecAuditEntry) => Promise<void>;
  /** Origins of the Temporal Web UI allowed to call from a browser, e.g. `http://127.0.0.1:8233`. */
  allowedOrigins: readonly string[];
  /** Largest request body in bytes; Temporal payloads reach 2 MB and grow by a third in base64. */
  bodyLimit?: number;
}

/** Roles that may see decrypted patient data. */
export const CODEC_ROLES: readonly string[] = ['ops', 'admin'];

const DEFAULT_BODY_LIMIT = 8 * 1024 * 1024;
const ALLOWED_HEADERS = 'Authorization, Content-Type, X-Namespace';
const PREFLIGHT_MAX_AGE_SECONDS = 600;

// proto3 JSON bytes: base64, standard or URL-safe alphabet, never a length of 4n+1.
const base64 = { type: 'string', pattern: '^(?:[A-Za-z0-9+/_-]{4})*(?:[A-Za-z0-9+/_-]{2}(?:==)?|[A-Za-z0-9+/_-]{3}=?)?$' } as const;

// Closed, as a proto3 JSON parser reads a message: a field the Payload message does not have is refused, not dropped.
const payloadSchema = {
  type: 'object',
  additionalProperties: false,
  properties: {
    metadata: { type: 'object', additionalProperties: base64 },
    data: base64,
    externalPayloads: {
      type: 'array',
      items: {
        type: 'object',
        properties: { sizeBytes: { type: ['integer', 'string'], minimum: 0, maximum: Number.MAX_SAFE_INTEGER, pattern: '^[0-9]{1,18}$' } },
        additionalProperties: false,
      },
    },
  },
} as const;

const payloadsSchema = {
  type: 'object',
  required: ['payloads'],
  additionalProperties: false,
  properties: { payloads: { type: 'array', items: payloadSchema } },
} as const;

const routeSchema = {
  headers: { type: 'object', required: ['x-namespace'], properties: { 'x-namespace': { type: 'string', minLength: 1 } } },
  body: payloadsSchema,
  response: { 200: payloadsSchema, '4xx': errorBodySchema, '5xx': errorBodySchema },
} as const;

const preflightSchema = {
  summary: 'CORS preflight of the Temporal Web UI (403 for an origin not allowed)',
  tags: ['codec'],
  response: { 204: { description: 'the origin may call', type: 'null' }, '4xx': errorBodySchema },
} as const;

type CodecRoute = { Body: { payloads: JsonPayload[] }; Headers: { 'x-namespace': string } };

/**
 * Temporal's remote codec protocol for the Web UI and CLI: `POST /codec/decode` and
 * `POST /codec/encode` take and answer `{ "payloads": [...] }` in protobuf JSON, with the
 * namespace in `X-Namespace`. Only operators with role ops or admin may call them (401 without
 * credentials, 403 otherwise), every call is audited, and browsers may call from
 * `allowedOrigins` with credentials. Relies on the app's error handler for the error body.
 */
export const codecRoutes: FastifyPluginAsync<CodecRoutesOptions> = async (app, options) => {
  const { codec, authorize, audit } = options;
  const allowedOrigins = new Set(options.allowedOrigins);
  if (allowedOrigins.has('*')) throw new CarepathError('invalid-config', "the codec endpoint sends credentials, so its allowed origins cannot be '*'");
  const operators = new WeakMap<FastifyRequest, CodecOperator>();
  installStrictValidation(app);

  // Also on error answers, so the browser lets the UI read a 401 or 403.
  app.addHook('onRequest', async (request, reply) => {
    reply.header('Vary', 'Origin');
    const origin = request.headers.origin;
    if (origin !== undefined && allowedOrigins.has(origin)) {
      reply.header('Access-Control-Allow-Origin', origin).header('Access-Control-Allow-Credentials', 'true');
    }
  });

  // Runs before the body is read: strangers learn nothing and cost no parsing.
  async function requireOperator(request: FastifyRequest, reply: FastifyReply): Promise<void> {
    const operator = await authorize(request);
    if (!operator) {
      reply.header('WWW-Authenticate', 'Bearer');
      throw new CarepathError('unauthorized', "the codec endpoint needs an operator's credentials in the Authorization header");
    }
    if (!operator.roles.some((role) => CODEC_ROLES.includes(role))) {
      throw new CarepathError('forbidden', `the codec endpoint needs role ${CODEC_ROLES.join(' or ')}`, { requiredRoles: CODEC_ROLES });
    }
    operators.set(request, operator);
  }

  for (const action of ['decode', 'encode'] as const) {
    const url = `/codec/${action}`;

    app.options(url, { schema: preflightSchema }, async (request, reply) => {
      const origin = request.headers.origin;
      if (origin === undefined || !allowedOrigins.has(origin)) {
        throw new CarepathError('forbidden', `origin ${origin ?? '(none)'} may not call the codec endpoint`);
      }
      return reply
        .status(204)
        .header('Access-Control-Allow-Methods', 'POST, OPTIONS')
        .header('Access-Control-Allow-Headers', ALLOWED_HEADERS)
        .header('Access-Control-Max-Age', String(PREFLIGHT_MAX_AGE_SECONDS))
        .send();
    });

    app.post<CodecRoute>(
      url,
      {
        schema: routeSchema,
        bodyLimit: options.bodyLimit ?? DEFAULT_BODY_LIMIT,
        onRequest: requireOperator,
      },
      async (request, reply) => {
        const operator = operators.get(request)!;
        const input = request.body.payloads.map((json, index) => payloadFromJson(json, `payloads[${index}]`));
        // A journey input decodes with its pathway reference left in place, shown as plain JSON.
        const output = action === 'decode' ? (await codec.decode(input)).map(asPlainJson) : await codec.encode(input);
        await audit({
          action: `codec.${action}`,
          actor: operator.id,
          actorRoles: operator.roles,
          namespace: request.headers['x-namespace'],
          payloadCount: input.length,
          sourceIp: request.ip,
        });
        reply.header('Cache-Control', 'no-store');
        return { payloads: output.map(payloadToJson) };
      },
    );
  }
};
