import type { Insertable, Kysely, Transaction } from 'kysely';
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
  source: Exclude<EnrollmentAnchorsTable['source'], 'journey'>,
): Promise<void> {
  const kind = source === 'event' ? 'event' : 'anchor';
  await upsert(
    db,
    Object.entries(anchors).map(([name, value]) => ({ enrollment_id: enrollmentId, kind, name, value, source })),
  );
}

async function upsert(db: Db, rows: Insertable<EnrollmentAnchorsTable>[]): Promise<void> {
  if (!rows.length) return;
  await db
    .insertInto('enrollment_anchors')
    .values(rows)
    .onConflict((oc) =>
      oc
        .columns(['enrollment_id', 'kind', 'name'])
        .doUpdateSet((eb) => ({ value: eb.ref('excluded.value'), source: eb.ref('excluded.source'), updated_at: new Date() })),
    )
    .execute();
}

/** What was recorded of an enrolment: anchors given or corrected (name → value), events that set one (name → time). */
export interface RecordedAnchors {
  anchors: Record<string, string>;
  events: Record<string, string>;
}

/**
 * Makes the recorded anchors of an enrolment those its journey holds (the journey is the truth:
 * a row written after an update that a crash lost, or an enrolment from before the rows existed).
 * Writes only what differs; returns whether anything did.
 */
export async function syncEnrollmentAnchors(db: Kysely<Database>, enrollmentId: string, journey: RecordedAnchors): Promise<boolean> {
  return db.transaction().execute(async (trx) => {
    const rows = await trx.selectFrom('enrollment_anchors').select(['kind', 'name', 'value']).where('enrollment_id', '=', enrollmentId).forUpdate().execute();
    const want = [
      ...Object.entries(journey.anchors).map(([name, value]) => ({ kind: 'anchor' as const, name, value })),
      ...Object.entries(journey.events).map(([name, value]) => ({ kind: 'event' as const, name, value })),
    ];
    const key = (r: { kind: string; name: string }) => `${r.kind}/${r.name}`;
    const have = new Map(rows.map((r) => [key(r), r.value]));
    const changed = want.filter((r) => have.get(key(r)) !== r.value);
    const wanted = new Set(want.map(key));
    const stale = rows.filter((r) => !wanted.has(key(r)));
    await upsert(
      trx,
      changed.map((r) => ({ enrollment_id: enrollmentId, ...r, source: 'journey' as const })),
    );
    for (const r of stale) {
      await trx.deleteFrom('enrollment_anchors').where('enrollment_id', '=', enrollmentId).where('kind', '=', r.kind).where('name', '=', r.name).execute();
    }
    return changed.length + stale.length > 0;
  });
}

/** The recorded anchors of these enrolments, by enrolment id (none for an enrolment with no rows). */
export async function listEnrollmentAnchors(db: Db, enrollmentIds: readonly string[]): Promise<Map<string, RecordedAnchors>> {
  const out = new Map<string, RecordedAnchors>();
  if (!enrollmentIds.length) return out;
  const rows = await db
    .selectFrom('enrollment_anchors')
    .select(['enrollment_id', 'kind', 'name', 'value'])
    .where('enrollment_id', 'in', [...new Set(enrollmentIds)])
    .execute();
  for (const row of rows) {
    const recorded = out.get(row.enrollment_id) ?? { anchors: {}, events: {} };
    (row.kind === 'event' ? recorded.events : recorded.anchors)[row.name] = row.value;
    out.set(row.enrollment_id, recorded);
  }
  return out;
}
