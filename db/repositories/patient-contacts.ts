import type { Kysely, Transaction } from 'kysely';
import type { Database, PatientContactsTable } from '../database.ts';
import type { PatientRow } from './patients.ts';

type Db = Kysely<Database> | Transaction<Database>;
export type ContactHash = Pick<PatientContactsTable, 'kind' | 'hash'>;

/** Replaces a patient's indexed contact points with these, and marks the patient indexed. */
export async function replacePatientContacts(db: Db, patientRef: string, contacts: readonly ContactHash[], at: Date): Promise<void> {
  await db.deleteFrom('patient_contacts').where('patient_ref', '=', patientRef).execute();
  if (contacts.length)
    await db
      .insertInto('patient_contacts')
      .values(contacts.map((c) => ({ patient_ref: patientRef, ...c })))
      .execute();
  await db.updateTable('patients').set({ contacts_indexed_at: at }).where('patient_ref', '=', patientRef).execute();
}

/** The patients with this contact point (more than one when family members share a phone). */
export async function findPatientRefsByContact(db: Db, contact: ContactHash): Promise<string[]> {
  const rows = await db.selectFrom('patient_contacts').select('patient_ref').where('kind', '=', contact.kind).where('hash', '=', contact.hash).execute();
  return rows.map((r) => r.patient_ref);
}

/** Patients stored before their contact points were indexed, a batch at a time after `afterRef` (in patient_ref order). */
export function listUnindexedPatients(db: Db, afterRef: string, limit: number): Promise<PatientRow[]> {
  return db
    .selectFrom('patients')
    .selectAll()
    .where('contacts_indexed_at', 'is', null)
    .where('patient_ref', '>', afterRef)
    .orderBy('patient_ref')
    .limit(limit)
    .execute();
}
