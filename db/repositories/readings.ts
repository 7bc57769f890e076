import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../database.ts';

type Db = Kysely<Database> | Transaction<Database>;

export interface NewReading {
  enrollmentId: string;
  readingId: string;
  metric: string;
  at: string;
  values: Record<string, number | boolean>;
  submittedBy: string;
}

/** Stores a reading once per enrolment and reading id; returns whether it was new. */
export async function insertReading(db: Db, reading: NewReading): Promise<boolean> {
  const result = await db
    .insertInto('readings')
    .values({
      enrollment_id: reading.enrollmentId,
      reading_id: reading.readingId,
      metric: reading.metric,
      at: reading.at,
      measurements: JSON.stringify(reading.values),
      submitted_by: reading.submittedBy,
    })
    .onConflict((oc) => oc.columns(['enrollment_id', 'reading_id']).doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
}
