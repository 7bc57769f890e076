import type { Kysely } from 'kysely';
import type { Database } from '../db/database.ts';
import type { Logger } from '../logging/logger.ts';

/** What activities need from the outside world; tests pass real instances of each. */
export interface ActivityDeps {
  db: Kysely<Database>;
  logger: Logger;
}

/**
 * Builds the activities the worker registers. Workflows import the returned type only
 * (`proxyActivities<Activities>()`), never this module's code.
 */
export function createActivities(deps: ActivityDeps) {
  return {
    /** Appends an entry to the audit log on behalf of a workflow (actor `system`). */
    async recordAudit(entry: { action: string; resourceType: string; resourceId: string | null; details?: unknown }): Promise<void> {
      await deps.db
        .insertInto('audit_log')
        .values({
          actor: 'system',
          actor_role: 'workflow',
          action: entry.action,
          resource_type: entry.resourceType,
          resource_id: entry.resourceId,
          source_ip: null,
          details: entry.details === undefined ? null : JSON.stringify(entry.details),
        })
        .execute();
    },
  };
}

export type Activities = ReturnType<typeof createActivities>;
