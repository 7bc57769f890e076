import { appendJourneyEvent, type NewJourneyEvent } from '../db/repositories/journey-events.ts';
import type { ActivityDeps } from './deps.ts';

export function createTimelineActivities(deps: ActivityDeps) {
  return {
    /** Appends an event to the journey's timeline (and so its audit trail), once per event key. */
    async recordJourneyEvent(event: NewJourneyEvent): Promise<{ recorded: boolean }> {
      return { recorded: await appendJourneyEvent(deps.db, event) };
    },
  };
}
