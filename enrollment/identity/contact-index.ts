// The keyed-hash index of patients' contact points: how a message from a phone number or a
// WeChat openid finds its patient, without decrypting every identity.
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../../db/database.ts';
import { findPatientRefsByContact, listUnindexedPatients, replacePatientContacts, type ContactHash } from '../../db/repositories/patient-contacts.ts';
import type { ContactKind, IdentityVault, PatientIdentity } from './identity-vault.ts';

type Db = Kysely<Database> | Transaction<Database>;

/** The hashes of an identity's contact points. */
function contactHashes(vault: IdentityVault, identity: PatientIdentity): ContactHash[] {
  const hashes: ContactHash[] = [];
  if (identity.phone) hashes.push({ kind: 'mobile', hash: vault.contactHash('mobile', identity.phone) });
  if (identity.wechatOpenId) hashes.push({ kind: 'wechat-openid', hash: vault.contactHash('wechat-openid', identity.wechatOpenId) });
  return hashes;
}

/** Indexes a patient's contact points as the identity now has them (after it was stored or changed). */
export async function indexContacts(db: Db, vault: IdentityVault, patientRef: string, identity: PatientIdentity): Promise<void> {
  await replacePatientContacts(db, patientRef, contactHashes(vault, identity), new Date());
}

/**
 * Indexes the patients stored before the index existed (decrypting each once); returns how many.
 * Run at the API's start: a patient not yet indexed is not found by a message she sends.
 */
export async function indexUnindexedContacts(db: Kysely<Database>, vault: IdentityVault, batchSize = 200): Promise<number> {
  let indexed = 0;
  for (;;) {
    const batch = await listUnindexedPatients(db, batchSize);
    for (const patient of batch) {
      await indexContacts(db, vault, patient.patient_ref, vault.decrypt(patient.patient_ref, patient.identity_ciphertext, patient.identity_key_id));
    }
    indexed += batch.length;
    if (batch.length < batchSize) return indexed;
  }
}

/** The patients whose identity has this contact point (several when family members share a phone). */
export function patientsByContact(db: Db, vault: IdentityVault, kind: ContactKind, address: string): Promise<string[]> {
  return findPatientRefsByContact(db, { kind, hash: vault.contactHash(kind, address) });
}
