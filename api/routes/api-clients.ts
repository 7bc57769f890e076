import type { FastifyPluginAsync } from 'fastify';
import { CarepathError } from '../../errors/carepath-error.ts';
import { listApiClients, revokeApiClient } from '../../db/repositories/api-clients.ts';
import { audit } from '../audit/audit.ts';
import { actorId, createApiClient, principalOf, ROLES } from '../auth/index.ts';
import { bearer, errorResponses, idParams } from '../schemas/common.ts';
import type { RouteContext } from './context.ts';

const clientSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    name: { type: 'string' },
    role: { type: 'string' },
    butlerId: { type: ['string', 'null'] },
    keyPrefix: { type: 'string' },
    createdAt: { type: 'string' },
    createdBy: { type: 'string' },
    revokedAt: { type: ['string', 'null'] },
  },
} as const;

/** API clients (admin only): create a key (shown once), list them, revoke one. */
export const apiClientRoutes: FastifyPluginAsync<RouteContext> = async (app, { deps, authorize, authenticator }) => {
  app.post<{ Body: { name: string; role: string; butlerId?: string } }>(
    '/api-clients',
    {
      onRequest: authorize('manageClients'),
      schema: {
        summary: 'Create an API key for a person or system; the key is in this answer only',
        tags: ['api-clients'],
        security: bearer,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['name', 'role'],
          properties: {
            name: { type: 'string', minLength: 1, maxLength: 100 },
            role: { type: 'string', enum: [...ROLES] },
            butlerId: { type: 'string', minLength: 1, maxLength: 64 },
          },
        },
        response: { 201: { type: 'object', properties: { ...clientSchema.properties, key: { type: 'string' } } }, ...errorResponses },
      },
    },
    async (request, reply) => {
      const { client, key } = await createApiClient(deps.db, { ...request.body, createdBy: actorId(principalOf(request)) });
      await audit(deps.db, request, 'api-client.create', { type: 'api-client', id: client.id }, { role: client.role, butlerId: client.butler_id });
      reply.header('Cache-Control', 'no-store');
      return reply.status(201).send({ ...clientView(client), key });
    },
  );

  app.get(
    '/api-clients',
    {
      onRequest: authorize('manageClients'),
      schema: {
        summary: 'Every API client (never their keys)',
        tags: ['api-clients'],
        security: bearer,
        response: { 200: { type: 'object', properties: { items: { type: 'array', items: clientSchema } } }, ...errorResponses },
      },
    },
    async (request) => {
      const items = (await listApiClients(deps.db)).map(clientView);
      await audit(deps.db, request, 'api-client.list', { type: 'api-client', id: null }, { count: items.length });
      return { items };
    },
  );

  app.delete<{ Params: { id: string } }>(
    '/api-clients/:id',
    {
      onRequest: authorize('manageClients'),
      schema: {
        summary: "Revoke an API client's key",
        tags: ['api-clients'],
        security: bearer,
        params: idParams,
        response: { 204: { type: 'null' }, ...errorResponses },
      },
    },
    async (request, reply) => {
      await deps.db.transaction().execute(async (trx) => {
        if (!(await revokeApiClient(trx, request.params.id, new Date().toISOString())))
          throw new CarepathError('not-found', `no active API client ${request.params.id}`);
        await audit(trx, request, 'api-client.revoke', { type: 'api-client', id: request.params.id });
      });
      authenticator.forgetCached();
      return reply.status(204).send();
    },
  );
};

function clientView(c: {
  id: string;
  name: string;
  role: string;
  butler_id: string | null;
  key_prefix: string;
  created_at: Date;
  created_by: string;
  revoked_at: Date | null;
}) {
  return {
    id: c.id,
    name: c.name,
    role: c.role,
    butlerId: c.butler_id,
    keyPrefix: c.key_prefix,
    createdAt: c.created_at.toISOString(),
    createdBy: c.created_by,
    revokedAt: c.revoked_at?.toISOString() ?? null,
  };
}
