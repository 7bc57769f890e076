import { appendJourneyEvent, type NewJourneyEvent } from '../db/repositories/journey-events.ts';
import { markEnrollmentEnded, setEnrollmentPathwayVersion } from '../db/repositories/enrollments.ts';
import type { ActivityDeps } from './deps.ts';

export function createTimelineActivities(deps: ActivityDeps) {
  return {
    /** Appends an event to the journey's timeline (and so its audit trail), once per event key. */
    async recordJourneyEvent(event: NewJourneyEvent): Promise<{ recorded: boolean }> {
      return { recorded: await appendJourneyEvent(deps.db, event) };
    },

    /** Appends several events in one transaction (one activity per planning round keeps history short). */
    async recordJourneyEvents(events: NewJourneyEvent[]): Promise<{ recorded: number }> {
      let recorded = 0;
      await deps.db.transaction().execute(async (trx) => {
        for (const event of events) if (await appendJourneyEvent(trx, event)) recorded++;
      });
      return { recorded };
    },

    /** Records that a journey moved to another version of its pathway. */
    async recordPathwayUpgrade(input: { enrollmentId: string; version: string; hash: string }): Promise<void> {
      await setEnrollmentPathwayVersion(deps.db, input.enrollmentId, input.version, input.hash);
    },

    /** Marks the enrolment finished (completed, or exited by an event such as withdrawal). */
    async markEnrollmentEnded(input: { enrollmentId: string; status: 'completed' | 'exited'; at: string }): Promise<void> {
      await markEnrollmentEnded(deps.db, input.enrollmentId, input.status, input.at);
    },
  };
}
