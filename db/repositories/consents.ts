import type { Kysely, Selectable, Transaction } from 'kysely';
import type { ConsentsTable, Database } from '../database.ts';

type Db = Kysely<Database> | Transaction<Database>;
export type Consent = Selectable<ConsentsTable>;

export interface NewConsent {
  id: string;
  patientRef: string;
  enrollmentId: string | null;
  scope: string[];
  givenAt: string;
  recordedBy: string;
  method: string | null;
  documentRef: string | null;
}

/** Records a consent. */
export async function insertConsent(db: Db, consent: NewConsent): Promise<void> {
  await db
    .insertInto('consents')
    .values({
      id: consent.id,
      patient_ref: consent.patientRef,
      enrollment_id: consent.enrollmentId,
      scope: JSON.stringify(consent.scope),
      given_at: consent.givenAt,
      recorded_by: consent.recordedBy,
      method: consent.method,
      document_ref: consent.documentRef,
    })
    .execute();
}

/** The consents recorded for an enrolment, oldest first. */
export function listEnrollmentConsents(db: Db, enrollmentId: string): Promise<Consent[]> {
  return db.selectFrom('consents').selectAll().where('enrollment_id', '=', enrollmentId).orderBy('given_at').execute();
}
