import type { FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/database.ts';
import { findActiveApiClientByKeyHash } from '../../db/repositories/api-clients.ts';
import { CarepathError } from '../../errors/carepath-error.ts';
import { hashApiKey, looksLikeApiKey } from './api-keys.ts';
import { CONSOLE_HEADER, StaffSessions } from './staff-sessions.ts';
import type { Principal, Role } from './roles.ts';

const CACHE_TTL_MS = 10_000;
const CACHE_MAX = 1_000;

/**
 * Resolves `Authorization: Bearer <key>` to the API client holding the key, or, without the
 * header, a staff browser's session cookie (api/auth/staff-sessions.ts) to the client that signed
 * in; else null. Key lookups are cached for a few seconds (by key hash), so a revoked key stops
 * working within 10 s; sessions are looked up on every request.
 */
export function createAuthenticator(db: Kysely<Database>, sessions = new StaffSessions(db)): Authenticator {
  const cache = new Map<string, { principal: Principal | null; until: number }>();
  const authenticate = async (request: FastifyRequest): Promise<Principal | null> => {
    const header = request.headers.authorization;
    if (header === undefined) return fromSession(request);
    const match = /^Bearer\s+(\S+)\s*$/i.exec(header);
    return match ? byKey(match[1]!) : null;
  };
  const byKey = async (key: string): Promise<Principal | null> => {
    if (!looksLikeApiKey(key)) return null;
    const hash = hashApiKey(key);
    const cached = cache.get(hash);
    if (cached && cached.until > Date.now()) return cached.principal;
    const client = await findActiveApiClientByKeyHash(db, hash);
    const principal: Principal | null = client ? { clientId: client.id, name: client.name, role: client.role as Role, butlerId: client.butler_id } : null;
    if (cache.size >= CACHE_MAX) cache.clear();
    cache.set(hash, { principal, until: Date.now() + CACHE_TTL_MS });
    return principal;
  };
  const fromSession = async (request: FastifyRequest): Promise<Principal | null> => {
    const principal = await sessions.fromRequest(request);
    if (principal && !SAFE_METHODS.has(request.method) && request.headers[CONSOLE_HEADER] === undefined) {
      // Known, so the error handler audits the refusal (a page of another site trying the cookie).
      request.principal = principal;
      throw new CarepathError('forbidden', `a request on a browser session that changes something carries the header ${CONSOLE_HEADER}`);
    }
    return principal;
  };
  return { authenticate, byKey, forgetCached: () => cache.clear(), sessions };
}

const SAFE_METHODS = new Set(['GET', 'HEAD', 'OPTIONS']);

export interface Authenticator {
  authenticate(request: FastifyRequest): Promise<Principal | null>;
  /** The active API client holding this key, or null. */
  byKey(key: string): Promise<Principal | null>;
  /** Drops cached lookups (after a key is revoked in this process). */
  forgetCached(): void;
  /** The staff browser sessions it accepts. */
  sessions: StaffSessions;
}
