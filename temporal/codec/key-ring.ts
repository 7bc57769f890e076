import { createSecretKey, type KeyObject } from 'node:crypto';
import { CarepathError } from '../../errors/carepath-error.ts';

/** AES-256 needs 32-byte keys. */
export const KEY_BYTES = 32;

const KEY_ID_PATTERN = /^[A-Za-z0-9._-]{1,64}$/;
const BASE64_PATTERN = /^(?:[A-Za-z0-9+/]{4})*(?:[A-Za-z0-9+/]{2}==|[A-Za-z0-9+/]{3}=)?$/;

/**
 * The payload encryption keys by id, and the one new payloads are encrypted with. Keys live in
 * private fields as KeyObjects, so logging or JSON-serialising a ring shows key ids only.
 */
export class KeyRing {
  readonly #keys: ReadonlyMap<string, KeyObject>;

  constructor(
    keys: ReadonlyMap<string, KeyObject>,
    readonly activeKeyId: string,
  ) {
    if (!keys.has(activeKeyId)) {
      throw new CarepathError('codec-config-invalid', `active key '${activeKeyId}' is not in the key ring (${[...keys.keys()].join(', ')})`);
    }
    this.#keys = keys;
  }

  /** The ids of every key that can decrypt, in configuration order. */
  get keyIds(): string[] {
    return [...this.#keys.keys()];
  }

  /** The key with this id, if the ring has it. */
  key(keyId: string): KeyObject | undefined {
    return this.#keys.get(keyId);
  }

  /** The key new payloads are encrypted with. */
  get activeKey(): KeyObject {
    return this.#keys.get(this.activeKeyId)!;
  }

  toJSON(): { activeKeyId: string; keyIds: string[] } {
    return { activeKeyId: this.activeKeyId, keyIds: this.keyIds };
  }
}

/**
 * The key ring from `CAREPATH_CODEC_KEYS` (comma-separated `keyId:base64key`) and
 * `CAREPATH_CODEC_ACTIVE_KEY` (default: the last key listed); `null` when no keys are configured.
 * Malformed input throws a one-line `codec-config-invalid` error that never quotes key material.
 */
export function loadKeyRing(env: Record<string, string | undefined>): KeyRing | null {
  const spec = env.CAREPATH_CODEC_KEYS?.trim() ?? '';
  const active = env.CAREPATH_CODEC_ACTIVE_KEY?.trim() || undefined;
  if (spec === '') {
    if (active) throw invalid('CAREPATH_CODEC_KEYS', `CAREPATH_CODEC_ACTIVE_KEY is '${active}' but CAREPATH_CODEC_KEYS is empty`);
    return null;
  }
  return parseKeyRing(spec, { source: 'CAREPATH_CODEC_KEYS', activeKeyId: active, activeSource: 'CAREPATH_CODEC_ACTIVE_KEY' });
}

/**
 * Parses `keyId:base64key[,keyId:base64key…]`. `source` names where the text came from (an
 * environment variable or a file) in error messages.
 */
export function parseKeyRing(spec: string, options: { source: string; activeKeyId?: string | undefined; activeSource?: string }): KeyRing {
  const { source } = options;
  const keys = new Map<string, KeyObject>();
  const entries = spec
    .split(',')
    .map((entry) => entry.trim())
    .filter((entry) => entry !== '');
  if (entries.length === 0) throw invalid(source, `${source} lists no keys`);
  entries.forEach((entry, index) => {
    const colon = entry.indexOf(':');
    // Never quote the entry itself: it may be a key pasted without its id.
    if (colon <= 0) throw invalid(source, `${source} entry ${index + 1} is not keyId:base64key`);
    const keyId = entry.slice(0, colon).trim();
    const encoded = entry.slice(colon + 1).trim();
    if (!KEY_ID_PATTERN.test(keyId)) {
      throw invalid(source, `${source} entry ${index + 1} has an invalid key id '${keyId}': use 1-64 letters, digits, '.', '_' or '-'`, keyId);
    }
    if (keys.has(keyId)) throw invalid(source, `${source} lists key id '${keyId}' twice`, keyId);
    if (!BASE64_PATTERN.test(encoded)) throw invalid(source, `${source} key '${keyId}' is not valid base64`, keyId);
    const bytes = Buffer.from(encoded, 'base64');
    if (bytes.length !== KEY_BYTES) {
      throw invalid(source, `${source} key '${keyId}' is ${bytes.length} bytes; AES-256 needs ${KEY_BYTES} (make one with: openssl rand -base64 32)`, keyId);
    }
    keys.set(keyId, createSecretKey(bytes));
    bytes.fill(0);
  });
  const activeKeyId = options.activeKeyId ?? [...keys.keys()].at(-1)!;
  if (!keys.has(activeKeyId)) {
    const activeSource = options.activeSource ?? 'the active key';
    throw invalid(activeSource, `${activeSource} '${activeKeyId}' is not in ${source} (${[...keys.keys()].join(', ')})`, activeKeyId);
  }
  return new KeyRing(keys, activeKeyId);
}

function invalid(source: string, message: string, keyId?: string): CarepathError {
  return new CarepathError('codec-config-invalid', message, keyId === undefined ? { source } : { source, keyId });
}
