import type { FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify';
import type { Kysely } from 'kysely';
import { CarepathError } from '../../errors/carepath-error.ts';
import type { Database } from '../../db/database.ts';
import { appendAudit } from '../../db/repositories/audit-log.ts';
import type { Authenticator } from './authenticate.ts';
import { PERMISSIONS, type Permission, type Principal } from './roles.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The caller, set by the route's `authorize` hook. */
    principal: Principal | null;
  }
}

/**
 * Builds `onRequest` hooks that admit callers holding a permission: 401 without a valid key,
 * 403 (audited) for a role without it. They run before the body is read.
 */
export function createGuard(db: Kysely<Database>, authenticator: Authenticator) {
  return (permission: Permission): onRequestHookHandler =>
    async function authorize(request: FastifyRequest, reply: FastifyReply) {
      const principal = await authenticator.authenticate(request);
      if (!principal) {
        reply.header('WWW-Authenticate', 'Bearer');
        throw new CarepathError('unauthorized', 'this route needs an API key: send Authorization: Bearer <key>');
      }
      const allowed: readonly string[] = PERMISSIONS[permission];
      if (!allowed.includes(principal.role)) {
        await appendAudit(db, {
          actor: principal.clientId,
          actorRole: principal.role,
          action: 'access.denied',
          resourceType: 'route',
          resourceId: `${request.method} ${request.routeOptions.url ?? request.url.split('?')[0]}`,
          sourceIp: request.ip,
          details: { permission },
        });
        throw new CarepathError('forbidden', `role ${principal.role} may not do this (needs ${allowed.join(' or ')})`, { requiredRoles: allowed });
      }
      request.principal = principal;
    };
}

export type Guard = ReturnType<typeof createGuard>;

/** The caller of a guarded route. */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new Error('principalOf called on a route without an authorize hook');
  return request.principal;
}
