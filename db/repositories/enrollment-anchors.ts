import type { Kysely, Transaction } from 'kysely';
import type { Database, EnrollmentAnchorsTable } from '../database.ts';

type Db = Kysely<Database> | Transaction<Database>;

/**
 * Records anchor values of an enrolment (a later value of the same name replaces the earlier); for
 * source `event`, the names are the events that set an anchor and the values their times.
 */
export async function upsertEnrollmentAnchors(
  db: Db,
  enrollmentId: string,
  anchors: Record<string, string>,
  source: EnrollmentAnchorsTable['source'],
): Promise<void> {
  const rows = Object.entries(anchors).map(([name, value]) => ({ enrollment_id: enrollmentId, name, value, source }));
  if (!rows.length) return;
  await db
    .insertInto('enrollment_anchors')
    .values(rows)
    .onConflict((oc) =>
      oc
        .columns(['enrollment_id', 'name'])
        .doUpdateSet((eb) => ({ value: eb.ref('excluded.value'), source: eb.ref('excluded.source'), updated_at: new Date() })),
    )
    .execute();
}

/** What was recorded of an enrolment: anchors given or corrected (name → value), events that set one (name → time). */
export interface RecordedAnchors {
  anchors: Record<string, string>;
  events: Record<string, string>;
}

/** The recorded anchors of these enrolments, by enrolment id. */
export async function listEnrollmentAnchors(db: Db, enrollmentIds: readonly string[]): Promise<Map<string, RecordedAnchors>> {
  const out = new Map<string, RecordedAnchors>();
  if (!enrollmentIds.length) return out;
  const rows = await db
    .selectFrom('enrollment_anchors')
    .select(['enrollment_id', 'name', 'value', 'source'])
    .where('enrollment_id', 'in', [...new Set(enrollmentIds)])
    .execute();
  for (const row of rows) {
    const recorded = out.get(row.enrollment_id) ?? { anchors: {}, events: {} };
    (row.source === 'event' ? recorded.events : recorded.anchors)[row.name] = row.value;
    out.set(row.enrollment_id, recorded);
  }
  return out;
}
