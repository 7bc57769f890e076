import type { Kysely, Selectable, Transaction } from 'kysely';
import type { Database, PatientsTable } from '../database.ts';

type Db = Kysely<Database> | Transaction<Database>;
export type PatientRow = Selectable<PatientsTable>;

export interface NewPatient {
  patientRef: string;
  tenant: string;
  identifierHash: string;
  ciphertext: Buffer;
  keyId: string;
  createdBy: string;
}

/** Inserts the patient unless one with the same identifier hash exists; returns the stored row either way. */
export async function insertPatientOnce(db: Db, patient: NewPatient): Promise<{ patient: PatientRow; created: boolean }> {
  const inserted = await db
    .insertInto('patients')
    .values({
      patient_ref: patient.patientRef,
      tenant: patient.tenant,
      identifier_hash: patient.identifierHash,
      identity_ciphertext: patient.ciphertext,
      identity_key_id: patient.keyId,
      created_by: patient.createdBy,
    })
    .onConflict((oc) => oc.columns(['tenant', 'identifier_hash']).doNothing())
    .returningAll()
    .executeTakeFirst();
  if (inserted) return { patient: inserted, created: true };
  const existing = await findPatientByIdentifierHash(db, patient.tenant, patient.identifierHash);
  return { patient: existing!, created: false };
}

/** The patient with this identifier hash in the tenant, or undefined. */
export function findPatientByIdentifierHash(db: Db, tenant: string, identifierHash: string): Promise<PatientRow | undefined> {
  return db.selectFrom('patients').selectAll().where('tenant', '=', tenant).where('identifier_hash', '=', identifierHash).executeTakeFirst();
}

/** The patient, or undefined. */
export function findPatient(db: Db, patientRef: string): Promise<PatientRow | undefined> {
  return db.selectFrom('patients').selectAll().where('patient_ref', '=', patientRef).executeTakeFirst();
}

/** Stores a patient's changed identity: its ciphertext, key and lookup hash. */
/** The patients with these references (in no particular order; unknown ones are absent). */
export function findPatients(db: Db, patientRefs: readonly string[]): Promise<PatientRow[]> {
  if (!patientRefs.length) return Promise.resolve([]);
  return db
    .selectFrom('patients')
    .selectAll()
    .where('patient_ref', 'in', [...patientRefs])
    .execute();
}

export async function updatePatientIdentity(
  db: Db,
  patientRef: string,
  identity: { ciphertext: Buffer; keyId: string; identifierHash: string },
): Promise<void> {
  await db
    .updateTable('patients')
    .set({ identity_ciphertext: identity.ciphertext, identity_key_id: identity.keyId, identifier_hash: identity.identifierHash })
    .where('patient_ref', '=', patientRef)
    .execute();
}

/** Deletes a patient that has no consent or enrolment left (compensation after a failed enrolment). */
export async function deletePatientIfUnused(db: Db, patientRef: string): Promise<void> {
  await db
    .deleteFrom('patients')
    .where('patient_ref', '=', patientRef)
    .where(({ not, exists, selectFrom }) => not(exists(selectFrom('enrollments').select('id').where('enrollments.patient_ref', '=', patientRef))))
    .where(({ not, exists, selectFrom }) => not(exists(selectFrom('consents').select('id').where('consents.patient_ref', '=', patientRef))))
    .execute();
}
