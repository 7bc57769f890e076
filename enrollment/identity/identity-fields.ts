// What counts as the same identity: each field in its normalised form, so that spacing, case
// and a +86 prefix never make two records of one person differ. Pure.
import type { PatientIdentity } from './identity-vault.ts';

export const IDENTITY_FIELDS = ['name', 'phone', 'idType', 'idNumber', 'birthDate', 'gender', 'wechatOpenId', 'appUserId'] as const;
export type IdentityField = (typeof IDENTITY_FIELDS)[number];

/** The mobile number's digits, without a +86 prefix. */
export function normalisedPhone(phone: string): string {
  const digits = phone.replace(/\D+/g, '');
  return digits.length === 13 && digits.startsWith('86') ? digits.slice(2) : digits;
}

/** The identity document number as compared: spaces removed, upper-case. */
export function normalisedIdNumber(idNumber: string): string {
  return idNumber.replace(/\s+/g, '').toUpperCase();
}

function normalised(field: IdentityField, value: string): string {
  if (field === 'phone') return normalisedPhone(value);
  if (field === 'idNumber') return normalisedIdNumber(value);
  if (field === 'idType' || field === 'gender') return value.trim().toLowerCase();
  // Provider ids compare exactly: an openid differing in case is another WeChat user.
  if (field === 'wechatOpenId' || field === 'appUserId') return value.trim();
  return value.trim().replace(/\s+/g, ' ');
}

/** Whether two values of a field are the same once normalised (both absent counts as the same). */
export function sameField(field: IdentityField, a: string | undefined, b: string | undefined): boolean {
  if (a === undefined || b === undefined) return a === b;
  return normalised(field, a) === normalised(field, b);
}

/**
 * The fields `given` states differently from `stored` (names only, never values): a field given
 * that the record lacks or holds otherwise. A field left out of `given` is no difference.
 */
export function identityDifferences(stored: PatientIdentity, given: PatientIdentity): IdentityField[] {
  return IDENTITY_FIELDS.filter((field) => {
    const value = given[field];
    if (value === undefined) return false;
    // An identity document without a type is a resident ID (as the identifier counts it).
    const known = field === 'idType' ? (stored.idType ?? (stored.idNumber ? 'resident-id' : undefined)) : stored[field];
    return !sameField(field, known, value);
  });
}
