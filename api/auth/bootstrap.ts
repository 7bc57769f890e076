import type { Kysely } from 'kysely';
import type { Database } from '../../db/database.ts';
import { findApiClientByKeyHash, hasActiveClientWithRole } from '../../db/repositories/api-clients.ts';
import { appendAudit } from '../../db/repositories/audit-log.ts';
import { createApiClient, hashApiKey } from './api-keys.ts';

/** What bootstrap did: created a key (`key` is null when it was given), found the given key revoked, or nothing. */
export type BootstrapOutcome = { kind: 'created'; key: string | null; clientId: string } | { kind: 'given-key-revoked'; clientId: string } | null;

/**
 * The first admin key of a fresh installation. With `CAREPATH_BOOTSTRAP_ADMIN_KEY` set, that key
 * becomes an admin key (once; it is never printed) — and once revoked it stays revoked, however
 * often the platform starts with it still set. Otherwise, when no active admin key exists, one is
 * created and returned so that the caller prints it once. Every key created is audited.
 */
export async function bootstrapAdminKey(db: Kysely<Database>, env: Record<string, string | undefined>): Promise<BootstrapOutcome> {
  const given = env.CAREPATH_BOOTSTRAP_ADMIN_KEY?.trim();
  if (given) {
    const known = await findApiClientByKeyHash(db, hashApiKey(given));
    if (known) return known.revoked_at ? { kind: 'given-key-revoked', clientId: known.id } : null;
    const { client } = await createApiClient(db, { name: 'bootstrap admin (CAREPATH_BOOTSTRAP_ADMIN_KEY)', role: 'admin', createdBy: 'bootstrap', key: given });
    await audited(db, client.id);
    return { kind: 'created', key: null, clientId: client.id };
  }
  if (await hasActiveClientWithRole(db, 'admin')) return null;
  const { client, key } = await createApiClient(db, { name: 'first admin', role: 'admin', createdBy: 'bootstrap' });
  await audited(db, client.id);
  return { kind: 'created', key, clientId: client.id };
}

function audited(db: Kysely<Database>, clientId: string): Promise<void> {
  return appendAudit(db, {
    actor: 'bootstrap',
    actorRole: 'system',
    action: 'api-client.create',
    resourceType: 'api-client',
    resourceId: clientId,
    sourceIp: null,
    details: { role: 'admin' },
  });
}
