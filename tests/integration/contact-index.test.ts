/**
 * The keyed-hash index of contact points (real PostgreSQL, real encrypted identities): how a
 * WeChat message or an SMS reply finds its patient without decrypting every identity.
 */
import { randomBytes } from 'node:crypto';
import { afterAll, beforeAll, describe, expect, it } from 'vitest';
import { migrateToLatest } from '../../db/migrate.ts';
import { indexUnindexedContacts, patientsByContact } from '../../enrollment/identity/contact-index.ts';
import { loadIdentityKeys } from '../../enrollment/identity/identity-keys.ts';
import { IdentityVault } from '../../enrollment/identity/identity-vault.ts';
import { registerPatient, updatePatientIdentityFields } from '../../enrollment/identity/patient-directory.ts';
import { createThrowawayDatabase, type ThrowawayDatabase } from '../support/database.ts';

describe('the contact index', () => {
  let database: ThrowawayDatabase;
  const key = () => `k1:${randomBytes(32).toString('base64')}`;
  const vault = new IdentityVault(loadIdentityKeys({ CAREPATH_IDENTITY_KEYS: key(), CAREPATH_IDENTITY_LOOKUP_KEY: key() })!);
  const register = async (identity: Parameters<typeof registerPatient>[2]) =>
    (await registerPatient(database.db, vault, identity, { tenant: 'default', createdBy: 'test', revealRef: true })).patientRef;

  beforeAll(async () => {
    database = await createThrowawayDatabase();
    await migrateToLatest(database.db);
  });
  afterAll(async () => {
    await database?.drop();
  });

  it('finds a patient by her mobile number (with or without +86) and her openid, and follows a changed number', async () => {
    const ref = await register({ name: '孙丽', phone: '13900001111', idNumber: 'TESTIDX1', wechatOpenId: 'o-sun' });
    expect(await patientsByContact(database.db, vault, 'mobile', '+86 139 0000 1111')).toEqual([ref]);
    expect(await patientsByContact(database.db, vault, 'wechat-openid', 'o-sun')).toEqual([ref]);
    expect(await patientsByContact(database.db, vault, 'wechat-openid', 'O-SUN')).toEqual([]);

    await updatePatientIdentityFields(database.db, vault, ref, { phone: '13900002222', wechatOpenId: null });
    expect(await patientsByContact(database.db, vault, 'mobile', '13900001111')).toEqual([]);
    expect(await patientsByContact(database.db, vault, 'mobile', '13900002222')).toEqual([ref]);
    expect(await patientsByContact(database.db, vault, 'wechat-openid', 'o-sun')).toEqual([]);
  });

  it('finds every patient sharing a phone (family members), never one of them by guess', async () => {
    const mother = await register({ name: '赵敏', phone: '13900003333', idNumber: 'TESTIDX2' });
    const daughter = await register({ name: '赵小敏', phone: '13900003333', idNumber: 'TESTIDX3' });
    expect((await patientsByContact(database.db, vault, 'mobile', '13900003333')).sort()).toEqual([mother, daughter].sort());
  });

  it('indexes the patients stored before the index, once', async () => {
    const ref = await register({ name: '钱芳', phone: '13900004444', idNumber: 'TESTIDX4' });
    await database.db.deleteFrom('patient_contacts').where('patient_ref', '=', ref).execute();
    await database.db.updateTable('patients').set({ contacts_indexed_at: null }).where('patient_ref', '=', ref).execute();
    expect(await patientsByContact(database.db, vault, 'mobile', '13900004444')).toEqual([]);

    expect(await indexUnindexedContacts(database.db, vault, 1)).toEqual({ indexed: 1, unreadable: 0 });
    expect(await patientsByContact(database.db, vault, 'mobile', '13900004444')).toEqual([ref]);
    expect(await indexUnindexedContacts(database.db, vault)).toEqual({ indexed: 0, unreadable: 0 });
  });

  it('skips an identity whose key is gone, and indexes the others', async () => {
    const lost = await register({ name: '李娜', phone: '13900005555', idNumber: 'TESTIDX5' });
    const kept = await register({ name: '周洁', phone: '13900006666', idNumber: 'TESTIDX6' });
    await database.db.updateTable('patients').set({ contacts_indexed_at: null }).where('patient_ref', 'in', [lost, kept]).execute();
    await database.db.updateTable('patients').set({ identity_key_id: 'gone' }).where('patient_ref', '=', lost).execute();
    expect(await indexUnindexedContacts(database.db, vault, 1)).toEqual({ indexed: 1, unreadable: 1 });
    expect(await patientsByContact(database.db, vault, 'mobile', '13900006666')).toEqual([kept]);
  });
});
