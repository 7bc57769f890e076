import type { FastifyReply, FastifyRequest, onRequestHookHandler } from 'fastify';
import { CarepathError } from '../../errors/carepath-error.ts';
import type { CallerLimits } from '../plugins/rate-limit.ts';
import type { Authenticator } from './authenticate.ts';
import { PERMISSIONS, type Permission, type Principal } from './roles.ts';

declare module 'fastify' {
  interface FastifyRequest {
    /** The caller, set by the route's `authorize` hook. */
    principal: Principal | null;
  }
}

/**
 * Builds `onRequest` hooks that admit callers holding a permission: 401 without a valid key
 * (limited by address, as every request is), then the caller's rate limit (by API client, refused
 * requests included), then 403 for a role without it (audited by the error handler, as every
 * refusal is). They run before the body is read.
 */
export function createGuard(authenticator: Authenticator, limits: CallerLimits) {
  return (permission: Permission): onRequestHookHandler =>
    async function authorize(request: FastifyRequest, reply: FastifyReply) {
      const principal = await authenticator.authenticate(request);
      if (!principal) {
        reply.header('WWW-Authenticate', 'Bearer');
        throw new CarepathError('unauthorized', 'this route needs an API key: send Authorization: Bearer <key>');
      }
      // Known from here on, refused or not: the error handler audits a refusal under its name.
      request.principal = principal;
      await limits.client(request, reply);
      const allowed: readonly string[] = PERMISSIONS[permission];
      if (!allowed.includes(principal.role)) {
        throw new CarepathError('forbidden', `role ${principal.role} may not do this (needs ${allowed.join(' or ')})`, { requiredRoles: allowed, permission });
      }
    };
}

export type Guard = ReturnType<typeof createGuard>;

/** The caller of a guarded route. */
export function principalOf(request: FastifyRequest): Principal {
  if (!request.principal) throw new Error('principalOf called on a route without an authorize hook');
  return request.principal;
}
