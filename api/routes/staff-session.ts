import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { CarepathError } from '../../errors/carepath-error.ts';
import { PERMISSIONS, type Permission, type Principal } from '../auth/roles.ts';
import { sessionCookie } from '../auth/staff-sessions.ts';
import { errorResponses, timeZoneSchema } from '../schemas/common.ts';
import type { RouteContext } from './context.ts';

const sessionSchema = {
  type: 'object',
  required: ['name', 'role', 'permissions'],
  properties: {
    clientId: { type: 'string' },
    name: { type: 'string' },
    role: { type: 'string' },
    butlerId: { type: ['string', 'null'] },
    permissions: { type: 'array', items: { type: 'string' }, description: 'what this role may do: the permission table every route enforces' },
    until: { type: ['string', 'null'], description: 'when the browser session ends (null for a bearer key)' },
    timeZone: timeZoneSchema,
  },
} as const;

/** The permissions a role holds (the console shows what these allow, the routes enforce them). */
function permissionsOf(principal: Principal): Permission[] {
  return (Object.keys(PERMISSIONS) as Permission[]).filter((p) => (PERMISSIONS[p] as readonly string[]).includes(principal.role));
}

function view(principal: Principal, until: Date | null, timeZone: { name: string; offsetMinutes: number }) {
  return {
    clientId: principal.clientId,
    name: principal.name,
    role: principal.role,
    butlerId: principal.butlerId,
    permissions: permissionsOf(principal),
    until: until?.toISOString() ?? null,
    timeZone,
  };
}

/** Staff sign-in for the console: an API key exchanged for a session cookie; who is signed in; sign-out. */
export const staffSessionRoutes: FastifyPluginAsync<RouteContext> = async (app, { authenticator, deps }) => {
  app.post<{ Body: { apiKey: string } }>(
    '/session',
    {
      schema: {
        summary: 'Sign in: exchange an API key for a browser session (an HttpOnly cookie, one shift long)',
        tags: ['session'],
        body: {
          type: 'object',
          required: ['apiKey'],
          additionalProperties: false,
          properties: { apiKey: { type: 'string', minLength: 1, maxLength: 200 } },
        },
        response: { 200: sessionSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const principal = await authenticator.byKey(request.body.apiKey.trim());
      if (!principal) throw new CarepathError('unauthorized', 'this API key is not valid (mistyped, or revoked)');
      request.principal = principal;
      const { token, until } = await authenticator.sessions.open(principal, request.ip);
      reply.header('set-cookie', sessionCookie(token, { secure: request.protocol === 'https' })).header('cache-control', 'no-store');
      return view(principal, until, deps.pathways.timeZone());
    },
  );

  app.get(
    '/session',
    { schema: { summary: 'Who is signed in, with what the role may do', tags: ['session'], response: { 200: sessionSchema, ...errorResponses } } },
    async (request, reply) => {
      const principal = await signedIn(request);
      reply.header('cache-control', 'no-store');
      const session = request.headers.authorization === undefined ? await authenticator.sessions.fromRequest(request) : null;
      return view(principal, session?.sessionUntil ?? null, deps.pathways.timeZone());
    },
  );

  app.delete(
    '/session',
    { schema: { summary: 'Sign out: end the browser session', tags: ['session'], response: { 204: { type: 'null' }, ...errorResponses } } },
    async (request, reply) => {
      await authenticator.sessions.close(request);
      return reply
        .header('set-cookie', sessionCookie(null, { secure: request.protocol === 'https' }))
        .status(204)
        .send();
    },
  );

  async function signedIn(request: FastifyRequest): Promise<Principal> {
    const principal = await authenticator.authenticate(request);
    if (!principal) throw new CarepathError('unauthorized', 'not signed in (or the session has ended): sign in again');
    request.principal = principal;
    return principal;
  }
};
