import type { Kysely, Selectable, Transaction } from 'kysely';
import type { Database, EnrollmentsTable } from '../database.ts';

type Db = Kysely<Database> | Transaction<Database>;
export type Enrollment = Selectable<EnrollmentsTable>;

/** The enrolment, or undefined. */
export function findEnrollment(db: Db, id: string): Promise<Enrollment | undefined> {
  return db.selectFrom('enrollments').selectAll().where('id', '=', id).executeTakeFirst();
}

/** Ends an active enrolment; a finished one keeps its first ending. */
export async function markEnrollmentEnded(db: Db, id: string, status: 'completed' | 'exited', at: string): Promise<void> {
  await db.updateTable('enrollments').set({ status, ended_at: at }).where('id', '=', id).where('status', '=', 'active').execute();
}

/** Records the pathway version a journey runs after an upgrade. */
export async function setEnrollmentPathwayVersion(db: Db, id: string, version: string, hash: string): Promise<void> {
  await db.updateTable('enrollments').set({ pathway_version: version, pathway_hash: hash }).where('id', '=', id).execute();
}

/** A patient's active enrolments, the latest first. */
export function listActiveEnrollmentsOf(db: Db, patientRefs: readonly string[]): Promise<Enrollment[]> {
  if (patientRefs.length === 0) return Promise.resolve([]);
  return db
    .selectFrom('enrollments')
    .selectAll()
    .where('patient_ref', 'in', patientRefs)
    .where('status', '=', 'active')
    .orderBy('created_at', 'desc')
    .execute();
}
