import { createCipheriv, createDecipheriv, createHmac, randomBytes } from 'node:crypto';
import { CarepathError } from '../../errors/carepath-error.ts';
import { normalisedIdNumber, normalisedPhone } from './identity-fields.ts';
import type { IdentityKeys } from './identity-keys.ts';

/** Who the patient is. Lives only encrypted in the patients table; never in logs or workflows. */
export interface PatientIdentity {
  name: string;
  phone?: string;
  /** Kind of identity document, e.g. `resident-id` (居民身份证), `passport`. */
  idType?: string;
  idNumber?: string;
  birthDate?: string;
  gender?: string;
  /** The patient's openid under the hospital's WeChat Official Account. */
  wechatOpenId?: string;
  /** The patient's user id in the hospital's app. */
  appUserId?: string;
}

const CIPHER = 'aes-256-gcm';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * The identifier two enrolments of the same person share: the identity document when given
 * (type and number, spaces removed, upper-case), else the mobile number (digits, without +86).
 */
export function normalisedIdentifier(identity: Pick<PatientIdentity, 'idType' | 'idNumber' | 'phone'>): string {
  if (identity.idNumber) return `id:${(identity.idType ?? 'resident-id').trim().toLowerCase()}:${normalisedIdNumber(identity.idNumber)}`;
  if (identity.phone) return `phone:${normalisedPhone(identity.phone)}`;
  throw new CarepathError('invalid-input', 'a patient needs an identity document number or a phone number, to be recognised on a later enrolment');
}

/** The contact points a patient's message can come from. */
export type ContactKind = 'mobile' | 'wechat-openid';

/**
 * Encrypts and decrypts patient identities (AES-256-GCM with the patient reference as associated
 * data, so a ciphertext moved to another row does not decrypt) and computes the keyed lookup hash.
 */
export class IdentityVault {
  constructor(private readonly keys: IdentityKeys) {}

  /** `hmac-sha256:<keyId>:<hex>` of the normalised identifier. */
  lookupHash(identity: PatientIdentity): string {
    const mac = createHmac('sha256', this.keys.lookup.key).update(normalisedIdentifier(identity)).digest('hex');
    return `hmac-sha256:${this.keys.lookup.id}:${mac}`;
  }

  /**
   * `hmac-sha256:<keyId>:<hex>` of one contact point (a mobile number without +86, an openid as
   * given): finds the patient a WeChat message or an SMS reply came from.
   */
  contactHash(kind: ContactKind, address: string): string {
    const value = kind === 'mobile' ? normalisedPhone(address) : address.trim();
    const mac = createHmac('sha256', this.keys.lookup.key).update(`${kind}:${value}`).digest('hex');
    return `hmac-sha256:${this.keys.lookup.id}:${mac}`;
  }

  /** Encrypts with the active key. */
  encrypt(patientRef: string, identity: PatientIdentity): { ciphertext: Buffer; keyId: string } {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv(CIPHER, this.keys.encryption.activeKey, iv, { authTagLength: TAG_BYTES });
    cipher.setAAD(Buffer.from(patientRef));
    const ciphertext = Buffer.concat([cipher.update(JSON.stringify(identity), 'utf8'), cipher.final()]);
    return { ciphertext: Buffer.concat([iv, ciphertext, cipher.getAuthTag()]), keyId: this.keys.encryption.activeKeyId };
  }

  /** Decrypts with the key the row names; fails with a clear error for a missing key or altered data. */
  decrypt(patientRef: string, data: Buffer, keyId: string): PatientIdentity {
    const key = this.keys.encryption.key(keyId);
    if (!key)
      throw new CarepathError('identity-unknown-key', `patient identity is encrypted with key '${keyId}', which is not in CAREPATH_IDENTITY_KEYS`, { keyId });
    try {
      const decipher = createDecipheriv(CIPHER, key, data.subarray(0, IV_BYTES), { authTagLength: TAG_BYTES });
      decipher.setAAD(Buffer.from(patientRef));
      decipher.setAuthTag(data.subarray(data.length - TAG_BYTES));
      const plain = Buffer.concat([decipher.update(data.subarray(IV_BYTES, data.length - TAG_BYTES)), decipher.final()]);
      return JSON.parse(plain.toString('utf8')) as PatientIdentity;
    } catch {
      throw new CarepathError('identity-decrypt-failed', `the identity of ${patientRef} does not authenticate with key '${keyId}'`, { keyId });
    }
  }
}
