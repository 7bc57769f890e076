import type { FastifyRequest } from 'fastify';
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../../db/database.ts';
import { appendAudit } from '../../db/repositories/audit-log.ts';
import { principalOf } from '../auth/guard.ts';

/**
 * Records in the audit log that the caller of `request` did `action` to a resource: who (client
 * id and role), what, when, from which address. Writes pass their transaction so that a change
 * and its audit entry commit together; reads are audited before their answer is sent.
 */
export async function audit(
  db: Kysely<Database> | Transaction<Database>,
  request: FastifyRequest,
  action: string,
  resource: { type: string; id: string | null },
  details?: unknown,
): Promise<void> {
  const principal = principalOf(request);
  await appendAudit(db, {
    actor: principal.clientId,
    actorRole: principal.role,
    action,
    resourceType: resource.type,
    resourceId: resource.id,
    sourceIp: request.ip,
    ...(details === undefined ? {} : { details: principal.butlerId ? { butlerId: principal.butlerId, ...(details as object) } : details }),
  });
}
