import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/database.ts';
import { appendAudit } from '../../db/repositories/audit-log.ts';
import { deleteCodecSession, findOpenCodecSession, insertCodecSession } from '../../db/repositories/codec-sessions.ts';
import { CarepathError } from '../../errors/carepath-error.ts';
import { hashSessionToken, newSessionToken, readCookie } from '../auth/session-tokens.ts';
import { errorBodySchema } from '../plugins/error-handler.ts';
import type { CodecOperator } from './codec.ts';

const COOKIE = 'carepath_codec_session';
const SESSION_MS = 8 * 3_600_000;

/**
 * Browser sessions for operators of the Temporal Web UI. Over plain http the UI sends no
 * Authorization header to the codec endpoint, only cookies (same-origin by default: `npm start`
 * serves the codec on the UI's origin, infra/same-origin-ui.ts), so an operator signs in once
 * with an ops or admin key and the codec accepts the session cookie.
 * Sessions are kept in PostgreSQL (the token's hash only) for 8 hours: every API process accepts
 * them, a restart keeps them, and revoking the operator's API key ends them.
 */
export class OperatorSessions {
  constructor(private readonly db: Kysely<Database>) {}

  /** Opens a session for an operator, audited with its address; returns the token the cookie carries. */
  async open(operator: CodecOperator, sourceIp: string | null, now = Date.now()): Promise<{ token: string; until: number }> {
    const token = newSessionToken();
    const until = now + SESSION_MS;
    await this.db.transaction().execute(async (trx) => {
      await insertCodecSession(trx, { tokenHash: hashSessionToken(token), clientId: operator.id, roles: operator.roles, expiresAt: new Date(until) });
      await appendAudit(trx, sessionAudit('codec.session.open', operator.id, operator.roles, sourceIp, { until: new Date(until).toISOString() }));
    });
    return { token, until };
  }

  /** The operator behind the request's session cookie, if the session is still open. */
  async fromRequest(request: FastifyRequest, now = Date.now()): Promise<CodecOperator | null> {
    const token = readCookie(request.headers.cookie, COOKIE);
    if (!token) return null;
    const session = await findOpenCodecSession(this.db, hashSessionToken(token), new Date(now));
    return session ? { id: session.client_id, roles: session.roles } : null;
  }

  /** Ends the request's session, if it has one, audited. */
  async close(request: FastifyRequest, now = Date.now()): Promise<void> {
    const token = readCookie(request.headers.cookie, COOKIE);
    if (!token) return;
    const session = await findOpenCodecSession(this.db, hashSessionToken(token), new Date(now));
    await deleteCodecSession(this.db, hashSessionToken(token));
    if (session) await appendAudit(this.db, sessionAudit('codec.session.close', session.client_id, session.roles, request.ip, {}));
  }
}

function sessionAudit(action: string, actor: string, roles: readonly string[], sourceIp: string | null, details: object) {
  return { actor, actorRole: roles.join(','), action, resourceType: 'codec-session', resourceId: null, sourceIp, details };
}

const LOGIN_PAGE = `<!doctype html>
<html lang="zh-CN"><head><meta charset="utf-8"><title>carepath · 解码登录 / codec sign-in</title>
<style>body{font:16px system-ui,sans-serif;max-width:36rem;margin:3rem auto;padding:0 1rem}input{width:100%;padding:.5rem;font:inherit}button{margin-top:1rem;padding:.5rem 1rem;font:inherit}</style></head>
<body><h1>Temporal Web UI 解码登录</h1>
<p>Paste an <b>ops</b> or <b>admin</b> API key to let the Temporal Web UI decrypt journey payloads in this browser for 8 hours.
Open this page on the Web UI's own address (<code>&lt;Web UI&gt;/codec/login</code>, as <code>npm start</code> serves it): the UI then sends the session with no setting of its own.
A Web UI on another origin needs <i>Include cross-origin credentials</i> in its data encoder settings. Every decryption is audited.</p>
<input id="key" type="password" autocomplete="off" placeholder="cpk_…"><button id="go">Sign in</button><p id="out" role="status"></p>
<script>
document.getElementById('go').onclick = async () => {
  const key = document.getElementById('key').value.trim();
  const r = await fetch('session', { method: 'POST', headers: { authorization: 'Bearer ' + key } });
  const body = await r.json();
  document.getElementById('out').textContent = r.ok ? 'Signed in until ' + new Date(body.until).toLocaleString() : body.message;
};
</script></body></html>`;

/** GET /codec/login (a sign-in page), POST /codec/session (bearer ops/admin → cookie), DELETE /codec/session. */
export const codecSessionRoutes: FastifyPluginAsync<{
  sessions: OperatorSessions;
  authorizeBearer: (request: FastifyRequest) => Promise<CodecOperator | null>;
  roles: readonly string[];
}> = async (app, { sessions, authorizeBearer, roles }) => {
  app.get('/codec/login', { schema: { summary: 'Sign-in page for operators of the Temporal Web UI', tags: ['codec'], hide: true } }, async (_request, reply) =>
    reply.type('text/html; charset=utf-8').header('cache-control', 'no-store').send(LOGIN_PAGE),
  );

  app.post(
    '/codec/session',
    {
      schema: {
        summary: 'Open an 8-hour codec session for an operator (Authorization: Bearer <ops or admin key>)',
        tags: ['codec'],
        response: { 200: { type: 'object', required: ['until'], properties: { until: { type: 'string' } } }, '4xx': errorBodySchema, '5xx': errorBodySchema },
      },
    },
    async (request, reply) => {
      const operator = await authorizeBearer(request);
      if (!operator) {
        reply.header('WWW-Authenticate', 'Bearer');
        throw new CarepathError('unauthorized', 'sign in with an API key in the Authorization header');
      }
      if (!operator.roles.some((r) => roles.includes(r))) throw new CarepathError('forbidden', `decoding payloads needs one of the roles ${roles.join(', ')}`);
      const { token, until } = await sessions.open(operator, request.ip);
      reply.header('set-cookie', `${COOKIE}=${token}; Path=/codec; HttpOnly; SameSite=Strict; Max-Age=${SESSION_MS / 1000}`);
      return { until: new Date(until).toISOString() };
    },
  );

  const closed = { response: { 204: { description: 'closed (also when there was none)', type: 'null' }, '5xx': errorBodySchema } };
  app.delete('/codec/session', { schema: { summary: 'Close the codec session', tags: ['codec'], ...closed } }, async (request, reply) => {
    await sessions.close(request);
    reply.header('set-cookie', `${COOKIE}=; Path=/codec; HttpOnly; SameSite=Strict; Max-Age=0`);
    return reply.status(204).send();
  });
};
