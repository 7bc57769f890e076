import { randomUUID } from 'node:crypto';
import { markEnrollmentEnded, setEnrollmentPathwayVersion } from '../db/repositories/enrollments.ts';
import { appendJourneyEvent, type NewJourneyEvent } from '../db/repositories/journey-events.ts';
import { closeTask, escalateTask, insertTaskOnce } from '../db/repositories/tasks.ts';
import type { ActivityDeps } from './deps.ts';
import type { CreateTaskInput, TaskRef } from './tasks.ts';

/** Everything one planning round of a journey writes to the database. */
export interface RoundWrites {
  enrollmentId: string;
  /** Tasks to put in the worklist (once per occurrence key). */
  createTasks: CreateTaskInput[];
  /** Open tasks moved up their escalation chain. */
  escalations: { taskId: string; level: number; role: string; assignee: string | null; call?: boolean }[];
  /** Tasks closed as done (completed through the journey) or cancelled (the journey moved on). */
  closes: { taskId: string; status: 'done' | 'cancelled'; by: string; result: unknown; at: string }[];
  /** Timeline entries, once per event key. */
  events: NewJourneyEvent[];
  /** The journey moved to another version of its pathway. */
  upgrade?: { version: string; hash: string };
  /** The journey is over (completed, or exited by an event such as withdrawal). */
  ended?: { status: 'completed' | 'exited'; at: string };
}

export function createRoundActivities(deps: ActivityDeps) {
  return {
    /**
     * Writes a planning round in one transaction: one activity per round keeps a journey's
     * history short. Every part is idempotent (tasks by occurrence key, events by event key,
     * escalations only move forward, closing a closed task changes nothing), so a retry after a
     * lost answer writes nothing twice. Returns the created tasks by occurrence key.
     */
    async applyRound(writes: RoundWrites): Promise<{ tasks: Record<string, TaskRef> }> {
      const tasks: Record<string, TaskRef> = {};
      await deps.db.transaction().execute(async (trx) => {
        for (const input of writes.createTasks) {
          const { task } = await insertTaskOnce(trx, { id: randomUUID(), ...input });
          tasks[input.occurrenceKey] = { taskId: task.id, status: task.status, escalationLevel: task.escalation_level };
        }
        for (const e of writes.escalations) await escalateTask(trx, e.taskId, e.level, e.role, e.assignee, e.call ?? false);
        for (const c of writes.closes) await closeTask(trx, c.taskId, c);
        for (const event of writes.events) await appendJourneyEvent(trx, event);
        if (writes.upgrade) await setEnrollmentPathwayVersion(trx, writes.enrollmentId, writes.upgrade.version, writes.upgrade.hash);
        if (writes.ended) await markEnrollmentEnded(trx, writes.enrollmentId, writes.ended.status, writes.ended.at);
      });
      return { tasks };
    },
  };
}
