import type { ColumnType, Generated } from 'kysely';

/**
 * The application database, one interface for every table (kysely's typed schema).
 * Migrations under ./migrations are the source of truth; this mirrors their sum.
 */
export interface Database {
  audit_log: AuditLogTable;
}

/** Who did what to which record, when and from where: every write and every read of patient data. */
export interface AuditLogTable {
  id: Generated<string>;
  at: ColumnType<Date, Date | string | undefined, never>;
  actor: string;
  actor_role: string;
  action: string;
  resource_type: string;
  resource_id: string | null;
  source_ip: string | null;
  details: ColumnType<unknown, string | null | undefined, never>;
}
