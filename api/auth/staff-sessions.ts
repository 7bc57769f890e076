import type { FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/database.ts';
import { appendAudit } from '../../db/repositories/audit-log.ts';
import { deleteStaffSession, findOpenStaffSession, insertStaffSession } from '../../db/repositories/staff-sessions.ts';
import type { Principal, Role } from './roles.ts';
import { hashSessionToken, newSessionToken, readCookie } from './session-tokens.ts';

/** The console's session cookie. */
export const STAFF_SESSION_COOKIE = 'carepath_session';
/** How long a staff session lasts: one shift. After it, the console asks to sign in again. */
export const STAFF_SESSION_MS = 10 * 3_600_000;
/**
 * The header a browser session's unsafe request must carry. A page on another site can send the
 * cookie in no request (SameSite=Strict), and cannot set this header without a CORS preflight
 * the API never grants: two locks against cross-site requests.
 */
export const CONSOLE_HEADER = 'x-carepath-console';

/**
 * Sign-in sessions of staff browsers: an API key is exchanged once for an HttpOnly cookie. Kept
 * in PostgreSQL (the token's hash only), so every API process accepts them and a restart keeps
 * them; revoking the key ends them. The principal behind a session is the key's API client.
 */
export class StaffSessions {
  constructor(private readonly db: Kysely<Database>) {}

  /** Opens a session for an API client, audited with its address; returns the cookie's token. */
  async open(principal: Principal, sourceIp: string | null, now = Date.now()): Promise<{ token: string; until: Date }> {
    const token = newSessionToken();
    const until = new Date(now + STAFF_SESSION_MS);
    await this.db.transaction().execute(async (trx) => {
      await insertStaffSession(trx, { tokenHash: hashSessionToken(token), clientId: principal.clientId, expiresAt: until });
      await appendAudit(trx, sessionAudit('staff.session.open', principal, sourceIp, { until: until.toISOString() }));
    });
    return { token, until };
  }

  /** The principal of the request's session cookie, with the session's end, if it is still open. */
  async fromRequest(request: FastifyRequest, now = Date.now()): Promise<(Principal & { sessionUntil: Date }) | null> {
    const token = readCookie(request.headers.cookie, STAFF_SESSION_COOKIE);
    if (!token) return null;
    const row = await findOpenStaffSession(this.db, hashSessionToken(token), new Date(now));
    if (!row) return null;
    return { clientId: row.client_id, name: row.name, role: row.role as Role, butlerId: row.butler_id, sessionUntil: row.expires_at };
  }

  /** Ends the request's session, if it has one, audited. */
  async close(request: FastifyRequest): Promise<void> {
    const token = readCookie(request.headers.cookie, STAFF_SESSION_COOKIE);
    if (!token) return;
    const principal = await this.fromRequest(request);
    await deleteStaffSession(this.db, hashSessionToken(token));
    if (principal) await appendAudit(this.db, sessionAudit('staff.session.close', principal, request.ip, {}));
  }
}

/** The Set-Cookie value that carries a session (or, with `null`, removes it); `Secure` when the request came over HTTPS (behind a proxy: CAREPATH_TRUST_PROXY). */
export function sessionCookie(token: string | null, options: { secure: boolean }): string {
  const maxAge = token ? STAFF_SESSION_MS / 1000 : 0;
  const secure = options.secure ? '; Secure' : '';
  return `${STAFF_SESSION_COOKIE}=${token ?? ''}; Path=/; HttpOnly; SameSite=Strict; Max-Age=${maxAge}${secure}`;
}

function sessionAudit(action: string, principal: Principal, sourceIp: string | null, details: object) {
  return {
    actor: principal.clientId,
    actorRole: principal.role,
    action,
    resourceType: 'staff-session',
    resourceId: null,
    sourceIp,
    details: principal.butlerId ? { butlerId: principal.butlerId, ...details } : details,
  };
}
