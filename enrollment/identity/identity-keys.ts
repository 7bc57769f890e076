import { randomBytes, type KeyObject } from 'node:crypto';
import { link, mkdir, readFile, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CarepathError } from '../../errors/carepath-error.ts';
import type { Logger } from '../../logging/logger.ts';
import { KEY_BYTES, parseKeyRing, type KeyRing } from '../../temporal/codec/key-ring.ts';

/** The keys protecting patient identity at rest: a ring for encryption, one key for lookups. */
export interface IdentityKeys {
  /** AES-256-GCM keys by id; new identities are encrypted with the active one. */
  encryption: KeyRing;
  /** HMAC key for the identifier hash. Never rotated casually: every stored hash depends on it. */
  lookup: { id: string; key: KeyObject };
}

export const DEV_IDENTITY_KEY_FILE = 'identity-dev-key';
export const DEV_IDENTITY_LOOKUP_KEY_FILE = 'identity-dev-lookup-key';

/**
 * Identity keys from the environment: `CAREPATH_IDENTITY_KEYS` (`keyId:base64key,…`, like the
 * codec's), `CAREPATH_IDENTITY_ACTIVE_KEY` (default: the last listed) and
 * `CAREPATH_IDENTITY_LOOKUP_KEY` (`keyId:base64key`, one key). null when none is set.
 */
export function loadIdentityKeys(env: Record<string, string | undefined>): IdentityKeys | null {
  const spec = env.CAREPATH_IDENTITY_KEYS?.trim() ?? '';
  const lookupSpec = env.CAREPATH_IDENTITY_LOOKUP_KEY?.trim() ?? '';
  if (spec === '' && lookupSpec === '') return null;
  if (spec === '' || lookupSpec === '') {
    throw new CarepathError(
      'identity-config-invalid',
      'CAREPATH_IDENTITY_KEYS and CAREPATH_IDENTITY_LOOKUP_KEY go together: set both (each keyId:base64key; make a key with openssl rand -base64 32)',
    );
  }
  const encryption = parseKeyRing(spec, {
    source: 'CAREPATH_IDENTITY_KEYS',
    activeKeyId: env.CAREPATH_IDENTITY_ACTIVE_KEY?.trim() || undefined,
    activeSource: 'CAREPATH_IDENTITY_ACTIVE_KEY',
  });
  return { encryption, lookup: singleKey(lookupSpec, 'CAREPATH_IDENTITY_LOOKUP_KEY') };
}

/**
 * Development identity keys kept under the data directory (mode 0600), created on first use and
 * reused afterwards. Warns at every start: real patient data needs configured keys.
 */
export async function ensureDevIdentityKeys(dataDir: string, logger: Pick<Logger, 'warn'>): Promise<IdentityKeys> {
  await mkdir(dataDir, { recursive: true });
  const encryptionFile = join(dataDir, DEV_IDENTITY_KEY_FILE);
  const lookupFile = join(dataDir, DEV_IDENTITY_LOOKUP_KEY_FILE);
  const encryption = parseKeyRing(await readOrCreate(encryptionFile, 'dev'), { source: encryptionFile });
  const lookup = singleKey(await readOrCreate(lookupFile, 'lookup-dev'), lookupFile);
  logger.warn(
    { keyId: encryption.activeKeyId, dataDir },
    'patient identity is encrypted with a DEVELOPMENT key kept in the data directory; set CAREPATH_IDENTITY_KEYS and CAREPATH_IDENTITY_LOOKUP_KEY for real patient data',
  );
  return { encryption, lookup };
}

function singleKey(spec: string, source: string): { id: string; key: KeyObject } {
  const ring = parseKeyRing(spec, { source });
  if (ring.keyIds.length !== 1) throw new CarepathError('identity-config-invalid', `${source} must hold exactly one key`);
  return { id: ring.activeKeyId, key: ring.activeKey };
}

/** Reads `keyId:base64key`, or writes a fresh one atomically (temporary file hard-linked into place). */
async function readOrCreate(file: string, idPrefix: string): Promise<string> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code !== 'ENOENT') throw err;
  }
  const temporary = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(temporary, `${idPrefix}-${randomBytes(4).toString('hex')}:${randomBytes(KEY_BYTES).toString('base64')}\n`, { mode: 0o600, flag: 'wx' });
    await link(temporary, file).catch((err: NodeJS.ErrnoException) => {
      if (err.code !== 'EEXIST') throw err;
    });
  } finally {
    await unlink(temporary).catch(() => undefined);
  }
  return readFile(file, 'utf8');
}
