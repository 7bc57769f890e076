import { randomBytes } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../../db/database.ts';
import { appendAudit } from '../../db/repositories/audit-log.ts';
import { findPatient, insertPatientOnce, updatePatientIdentity } from '../../db/repositories/patients.ts';
import type { IdentityVault, PatientIdentity } from './identity-vault.ts';

type Db = Kysely<Database> | Transaction<Database>;

/** A fresh pseudonymous patient reference: random, so it reveals nothing about the person. */
export function newPatientRef(): string {
  return `pt_${randomBytes(10).toString('hex')}`;
}

/**
 * The patient's reference: the existing one when the identifier hash is known (their stored
 * identity is replaced by the one given now), else a new patient with the identity encrypted.
 */
export async function registerPatient(
  db: Db,
  vault: IdentityVault,
  identity: PatientIdentity,
  context: { tenant: string; createdBy: string },
): Promise<{ patientRef: string; created: boolean }> {
  const identifierHash = vault.lookupHash(identity);
  const patientRef = newPatientRef();
  const sealed = vault.encrypt(patientRef, identity);
  const { patient, created } = await insertPatientOnce(db, {
    patientRef,
    tenant: context.tenant,
    identifierHash,
    ciphertext: sealed.ciphertext,
    keyId: sealed.keyId,
    createdBy: context.createdBy,
  });
  if (!created) {
    const resealed = vault.encrypt(patient.patient_ref, identity);
    await updatePatientIdentity(db, patient.patient_ref, resealed.ciphertext, resealed.keyId);
  }
  return { patientRef: patient.patient_ref, created };
}

/** Decrypts a patient's identity; undefined when there is no such patient. */
export async function readPatientIdentity(db: Db, vault: IdentityVault, patientRef: string): Promise<PatientIdentity | undefined> {
  const patient = await findPatient(db, patientRef);
  return patient ? vault.decrypt(patient.patient_ref, patient.identity_ciphertext, patient.identity_key_id) : undefined;
}

/**
 * `describePatient` for the send-message activity: the display name for `{{name}}` in templates.
 * Each use is audited as a read by the system, with the message's purpose.
 */
export function patientDescriber(db: Kysely<Database>, vault: IdentityVault): (patientRef: string) => Promise<{ name: string } | null> {
  return async (patientRef) => {
    const identity = await readPatientIdentity(db, vault, patientRef);
    if (!identity) return null;
    await appendAudit(db, {
      actor: 'system',
      actorRole: 'worker',
      action: 'patient.name.read',
      resourceType: 'patient',
      resourceId: patientRef,
      sourceIp: null,
      details: { purpose: 'message' },
    });
    return { name: identity.name };
  };
}
