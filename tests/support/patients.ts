import { randomBytes, randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import { CONTACT_POINTS } from '../../channels/recipients.ts';
import type { Database } from '../../db/database.ts';
import { insertConsent } from '../../db/repositories/consents.ts';
import { loadIdentityKeys } from '../../enrollment/identity/identity-keys.ts';
import { IdentityVault } from '../../enrollment/identity/identity-vault.ts';
import { registerPatient } from '../../enrollment/identity/patient-directory.ts';

/** Identity keys in their environment form, for a worker process and a vault of the same keys. */
export function identityKeyEnv(): { CAREPATH_IDENTITY_KEYS: string; CAREPATH_IDENTITY_LOOKUP_KEY: string } {
  const key = () => `k1:${randomBytes(32).toString('base64')}`;
  return { CAREPATH_IDENTITY_KEYS: key(), CAREPATH_IDENTITY_LOOKUP_KEY: key() };
}

export function vaultFor(env: ReturnType<typeof identityKeyEnv>): IdentityVault {
  return new IdentityVault(loadIdentityKeys(env)!);
}

/** A (fictional) patient with a contact point for every automatic channel; returns her reference. */
export async function registerReachablePatient(db: Kysely<Database>, vault: IdentityVault): Promise<string> {
  const serial = String(Date.now()).slice(-8);
  const identity = { name: '测试患者', phone: `139${serial}`, wechatOpenId: `oTEST_${serial}_${randomUUID().slice(0, 8)}`, appUserId: `app-${serial}` };
  return (await registerPatient(db, vault, identity, { tenant: 'test', createdBy: 'test', revealRef: true })).patientRef;
}

/** Records the enrolment's consent to care management and to every automatic channel. */
export async function consentToEveryChannel(db: Kysely<Database>, patientRef: string, enrollmentId: string): Promise<void> {
  await insertConsent(db, {
    id: randomUUID(),
    patientRef,
    enrollmentId,
    scope: ['care-management', ...Object.values(CONTACT_POINTS).map((p) => p.consent)],
    givenAt: new Date().toISOString(),
    recordedBy: 'test',
    method: 'written',
    documentRef: null,
  });
}
