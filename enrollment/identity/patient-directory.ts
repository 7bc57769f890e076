import { randomBytes } from 'node:crypto';
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../../db/database.ts';
import { appendAudit } from '../../db/repositories/audit-log.ts';
import { CarepathError } from '../../errors/carepath-error.ts';
import { findPatient, findPatientByIdentifierHash, insertPatientOnce, updatePatientIdentity } from '../../db/repositories/patients.ts';
import { indexContacts } from './contact-index.ts';
import { IDENTITY_FIELDS, identityDifferences, sameField, type IdentityField } from './identity-fields.ts';
import type { IdentityVault, PatientIdentity } from './identity-vault.ts';

type Db = Kysely<Database> | Transaction<Database>;

/** A fresh pseudonymous patient reference: random, so it reveals nothing about the person. */
export function newPatientRef(): string {
  return `pt_${randomBytes(10).toString('hex')}`;
}

/**
 * The patient's reference: a new patient with the identity encrypted, or the existing one when
 * the identifier is known and the identity given agrees with the record. An enrolment never
 * changes a stored identity (`updatePatientIdentityFields` does, with its own permission): details
 * that differ are an `identity-mismatch` naming the fields (and, when `revealRef`, the patient),
 * never their values — two people sharing a phone must not become one record.
 */
export async function registerPatient(
  db: Db,
  vault: IdentityVault,
  identity: PatientIdentity,
  context: { tenant: string; createdBy: string; revealRef: boolean },
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
  if (created) await indexContacts(db, vault, patient.patient_ref, identity);
  else {
    const stored = vault.decrypt(patient.patient_ref, patient.identity_ciphertext, patient.identity_key_id);
    const fields = identityDifferences(stored, identity);
    if (fields.length > 0) {
      const who = context.revealRef ? `patient ${patient.patient_ref}` : 'a patient with this identity document or phone number';
      const fix = context.revealRef
        ? `correct the record with PATCH /v1/patients/${patient.patient_ref}/identity, or enrol with the details on record`
        : 'ask a coordinator to check the record';
      throw new CarepathError('identity-mismatch', `${who} is on record with a different ${fields.join(', ')}: ${fix}`, {
        fields,
        ...(context.revealRef ? { patientRef: patient.patient_ref } : {}),
      });
    }
  }
  return { patientRef: patient.patient_ref, created };
}

/**
 * Changes a patient's stored identity: the fields given replace the record's, `null` clears an
 * optional one. A changed identity document or phone number moves the lookup hash (`conflict`
 * when another patient holds it). Returns the names of the fields that changed.
 */
export async function updatePatientIdentityFields(
  db: Db,
  vault: IdentityVault,
  patientRef: string,
  change: IdentityChange,
): Promise<{ changed: IdentityField[] }> {
  const patient = await findPatient(db, patientRef);
  if (!patient) throw new CarepathError('not-found', `no patient ${patientRef}`);
  const stored = vault.decrypt(patient.patient_ref, patient.identity_ciphertext, patient.identity_key_id);
  const next: PatientIdentity = { ...stored };
  for (const field of IDENTITY_FIELDS) {
    const value = change[field];
    if (value === undefined) continue;
    if (value === null) {
      if (field === 'name') throw new CarepathError('invalid-input', 'a patient keeps a name: give a new one instead of null');
      delete next[field];
    } else next[field] = value;
  }
  if (!next.idNumber && !next.phone)
    throw new CarepathError('invalid-input', 'a patient needs an identity document number or a phone number: both would be gone');
  const changed = IDENTITY_FIELDS.filter((f) => change[f] !== undefined && !sameField(f, stored[f], next[f]));
  if (changed.length === 0) return { changed };
  const sealed = vault.encrypt(patient.patient_ref, next);
  const hash = vault.lookupHash(next);
  const taken = new CarepathError('conflict', 'another patient is on record with this identity document or phone number');
  if (hash !== patient.identifier_hash && (await findPatientByIdentifierHash(db, patient.tenant, hash))) throw taken;
  try {
    await updatePatientIdentity(db, patient.patient_ref, { ciphertext: sealed.ciphertext, keyId: sealed.keyId, identifierHash: hash });
  } catch (err) {
    if ((err as { code?: string }).code === '23505') throw taken;
    throw err;
  }
  if (changed.includes('phone') || changed.includes('wechatOpenId')) await indexContacts(db, vault, patient.patient_ref, next);
  return { changed };
}

/** A change of identity: a value replaces, `null` clears an optional field, absent keeps it. */
export type IdentityChange = { [F in IdentityField]?: (F extends 'name' ? string : string | null) | undefined };

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
