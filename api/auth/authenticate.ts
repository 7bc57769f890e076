import type { FastifyRequest } from 'fastify';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/database.ts';
import { findActiveApiClientByKeyHash } from '../../db/repositories/api-clients.ts';
import { hashApiKey, looksLikeApiKey } from './api-keys.ts';
import type { Principal, Role } from './roles.ts';

const CACHE_TTL_MS = 10_000;
const CACHE_MAX = 1_000;

/**
 * Resolves `Authorization: Bearer <key>` to the API client holding the key, or null. Lookups are
 * cached for a few seconds (by key hash), so a revoked key stops working within 10 s.
 */
export function createAuthenticator(db: Kysely<Database>): Authenticator {
  const cache = new Map<string, { principal: Principal | null; until: number }>();
  const authenticate = async (request: FastifyRequest): Promise<Principal | null> => {
    const header = request.headers.authorization;
    const match = header ? /^Bearer\s+(\S+)\s*$/i.exec(header) : null;
    if (!match || !looksLikeApiKey(match[1]!)) return null;
    const hash = hashApiKey(match[1]!);
    const cached = cache.get(hash);
    if (cached && cached.until > Date.now()) return cached.principal;
    const client = await findActiveApiClientByKeyHash(db, hash);
    const principal: Principal | null = client ? { clientId: client.id, name: client.name, role: client.role as Role, butlerId: client.butler_id } : null;
    if (cache.size >= CACHE_MAX) cache.clear();
    cache.set(hash, { principal, until: Date.now() + CACHE_TTL_MS });
    return principal;
  };
  return { authenticate, forgetCached: () => cache.clear() };
}

export interface Authenticator {
  authenticate(request: FastifyRequest): Promise<Principal | null>;
  /** Drops cached lookups (after a key is revoked in this process). */
  forgetCached(): void;
}
