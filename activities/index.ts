import type { ActivityDeps } from './deps.ts';
import { createInquiryReplyActivities } from './inquiry-replies.ts';
import { createMessageActivities } from './messages.ts';
import { createRoundActivities } from './rounds.ts';
import { createTaskActivities } from './tasks.ts';
import { createTimelineActivities } from './timeline.ts';

export type { ActivityDeps } from './deps.ts';

/**
 * Builds the activities the worker registers. Workflows import the returned type only
 * (`proxyActivities<Activities>()`), never this module's code.
 */
export function createActivities(deps: ActivityDeps) {
  const messages = createMessageActivities(deps);
  return {
    ...messages,
    ...createInquiryReplyActivities(deps, messages),
    ...createTaskActivities(deps),
    ...createRoundActivities(deps),
    ...createTimelineActivities(deps),
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
