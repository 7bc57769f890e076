import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../database.ts';

type Db = Kysely<Database> | Transaction<Database>;

export interface AuditEntry {
  actor: string;
  actorRole: string;
  action: string;
  resourceType: string;
  resourceId: string | null;
  sourceIp: string | null;
  /** Ids, filters and counts: never patient identity or health values. */
  details?: unknown;
}

/** Appends one entry to the audit log. */
export async function appendAudit(db: Db, entry: AuditEntry): Promise<void> {
  await db
    .insertInto('audit_log')
    .values({
      actor: entry.actor,
      actor_role: entry.actorRole,
      action: entry.action,
      resource_type: entry.resourceType,
      resource_id: entry.resourceId,
      source_ip: entry.sourceIp,
      details: entry.details === undefined ? null : JSON.stringify(entry.details),
    })
    .execute();
}
