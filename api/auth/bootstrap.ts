import type { Kysely } from 'kysely';
import type { Database } from '../../db/database.ts';
import { findActiveApiClientByKeyHash, hasActiveClientWithRole } from '../../db/repositories/api-clients.ts';
import { createApiClient, hashApiKey } from './api-keys.ts';

/**
 * The first admin key of a fresh installation. With `CAREPATH_BOOTSTRAP_ADMIN_KEY` set, that key
 * becomes an admin key (once; it is never printed). Otherwise, when no active admin key exists,
 * one is created and returned so that the caller prints it once. Returns null when nothing was created.
 */
export async function bootstrapAdminKey(
  db: Kysely<Database>,
  env: Record<string, string | undefined>,
): Promise<{ key: string | null; clientId: string } | null> {
  const given = env.CAREPATH_BOOTSTRAP_ADMIN_KEY?.trim();
  if (given) {
    if (await findActiveApiClientByKeyHash(db, hashApiKey(given))) return null;
    const { client } = await createApiClient(db, { name: 'bootstrap admin (CAREPATH_BOOTSTRAP_ADMIN_KEY)', role: 'admin', createdBy: 'bootstrap', key: given });
    return { key: null, clientId: client.id };
  }
  if (await hasActiveClientWithRole(db, 'admin')) return null;
  const { client, key } = await createApiClient(db, { name: 'first admin', role: 'admin', createdBy: 'bootstrap' });
  return { key, clientId: client.id };
}
