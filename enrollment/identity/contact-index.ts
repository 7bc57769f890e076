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
 * Indexes the patients stored before the index existed (decrypting each once), a batch at a time.
 * A record that does not decrypt (its key is gone) is counted and left unindexed: it cannot be
 * found by a message, and must not stop the others. Runs in the background of the API's start.
 */
export async function indexUnindexedContacts(db: Kysely<Database>, vault: IdentityVault, batchSize = 200): Promise<{ indexed: number; unreadable: number }> {
  let indexed = 0;
  let unreadable = 0;
  for (let after = ''; ;) {
    const batch = await listUnindexedPatients(db, after, batchSize);
    for (const patient of batch) {
      let identity: PatientIdentity;
      try {
        identity = vault.decrypt(patient.patient_ref, patient.identity_ciphertext, patient.identity_key_id);
      } catch {
        unreadable++;
        continue;
      }
      await indexContacts(db, vault, patient.patient_ref, identity);
      indexed++;
    }
    if (batch.length < batchSize) return { indexed, unreadable };
    after = batch[batch.length - 1]!.patient_ref;
  }
}

/** The patients whose identity has this contact point (several when family members share a phone). */
export function patientsByContact(db: Db, vault: IdentityVault, kind: ContactKind, address: string): Promise<string[]> {
  return findPatientRefsByContact(db, { kind, hash: vault.contactHash(kind, address) });
}
