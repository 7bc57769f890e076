import { createCipheriv, createDecipheriv, randomBytes } from 'node:crypto';
import { METADATA_ENCODING_KEY, type Payload, type PayloadCodec } from '@temporalio/common';
import protos from '@temporalio/proto';
import { CarepathError } from '../../errors/carepath-error.ts';
import type { KeyRing } from './key-ring.ts';

// @temporalio/proto is CommonJS: take the namespace from its default export.
const ProtoPayload = protos.temporal.api.common.v1.Payload;

/** `encoding` metadata of a payload this codec encrypted. */
export const ENCRYPTED_ENCODING = 'binary/encrypted';
/** Metadata naming the key a payload was encrypted with. */
export const KEY_ID_METADATA = 'encryption-key-id';

const CIPHER = 'aes-256-gcm';
const IV_BYTES = 12;
const TAG_BYTES = 16;

/**
 * Temporal payload codec: AES-256-GCM over the whole original Payload (protobuf-encoded, so its
 * metadata is hidden too), as in Temporal's encryption samples. Data is `iv ‖ ciphertext ‖ tag`
 * with a fresh random 12-byte IV per payload. Decoding picks the key by the payload's key id, so
 * payloads written before a rotation still decode; payloads that were never encrypted pass
 * through unchanged.
 */
export class AesGcmPayloadCodec implements PayloadCodec {
  constructor(private readonly keyRing: KeyRing) {}

  async encode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => this.encrypt(payload));
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return payloads.map((payload) => (isEncryptedPayload(payload) ? this.decrypt(payload) : payload));
  }

  private encrypt(payload: Payload): Payload {
    const iv = randomBytes(IV_BYTES);
    const cipher = createCipheriv(CIPHER, this.keyRing.activeKey, iv, { authTagLength: TAG_BYTES });
    const plaintext = ProtoPayload.encode(payload).finish();
    const ciphertext = Buffer.concat([cipher.update(plaintext), cipher.final()]);
    return {
      metadata: {
        [METADATA_ENCODING_KEY]: Buffer.from(ENCRYPTED_ENCODING),
        [KEY_ID_METADATA]: Buffer.from(this.keyRing.activeKeyId),
      },
      data: Buffer.concat([iv, ciphertext, cipher.getAuthTag()]),
    };
  }

  private decrypt(payload: Payload): Payload {
    const keyIdBytes = payload.metadata?.[KEY_ID_METADATA];
    if (!keyIdBytes || keyIdBytes.length === 0) {
      throw new CarepathError('codec-key-id-missing', `an encrypted payload has no '${KEY_ID_METADATA}' metadata`);
    }
    const keyId = Buffer.from(keyIdBytes).toString('utf8');
    const key = this.keyRing.key(keyId);
    if (!key) {
      throw new CarepathError(
        'codec-unknown-key',
        `payload is encrypted with key '${keyId}', which is not in the key ring (${this.keyRing.keyIds.join(', ')}); add it to CAREPATH_CODEC_KEYS`,
        { keyId },
      );
    }
    const data = payload.data ?? new Uint8Array();
    if (data.length < IV_BYTES + TAG_BYTES) {
      throw new CarepathError('codec-decrypt-failed', `encrypted payload (key '${keyId}') is too short to be AES-GCM data`, { keyId });
    }
    const iv = data.subarray(0, IV_BYTES);
    const tag = data.subarray(data.length - TAG_BYTES);
    const ciphertext = data.subarray(IV_BYTES, data.length - TAG_BYTES);
    let plaintext: Buffer;
    try {
      const decipher = createDecipheriv(CIPHER, key, iv, { authTagLength: TAG_BYTES });
      decipher.setAuthTag(tag);
      plaintext = Buffer.concat([decipher.update(ciphertext), decipher.final()]);
    } catch {
      throw new CarepathError(
        'codec-decrypt-failed',
        `encrypted payload (key '${keyId}') does not authenticate: it was altered, or key '${keyId}' is not the key it was written with`,
        { keyId },
      );
    }
    return ProtoPayload.decode(plaintext);
  }
}

/** Whether a payload carries `encoding: binary/encrypted`. */
export function isEncryptedPayload(payload: Payload): boolean {
  const encoding = payload.metadata?.[METADATA_ENCODING_KEY];
  return encoding !== undefined && encoding !== null && Buffer.from(encoding).toString('utf8') === ENCRYPTED_ENCODING;
}
