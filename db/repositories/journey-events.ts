import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../database.ts';

type Db = Kysely<Database> | Transaction<Database>;

export interface NewJourneyEvent {
  enrollmentId: string;
  /** Unique per enrolment: recording the same event twice is a no-op. */
  eventKey: string;
  type: string;
  stepId: string | null;
  at: string;
  details: unknown;
}

/** Appends an event to the journey's timeline once; returns whether it was new. */
export async function appendJourneyEvent(db: Db, event: NewJourneyEvent): Promise<boolean> {
  const result = await db
    .insertInto('journey_events')
    .values({
      enrollment_id: event.enrollmentId,
      event_key: event.eventKey,
      type: event.type,
      step_id: event.stepId,
      at: event.at,
      details: event.details === undefined ? null : JSON.stringify(event.details),
    })
    .onConflict((oc) => oc.columns(['enrollment_id', 'event_key']).doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
}

/** What happened in one enrolment's journey, oldest first. */
export function listJourneyEvents(db: Db, enrollmentId: string) {
  return db
    .selectFrom('journey_events')
    .select(['event_key', 'type', 'step_id', 'at', 'details'])
    .where('enrollment_id', '=', enrollmentId)
    .orderBy('at')
    .orderBy('id')
    .execute();
}
