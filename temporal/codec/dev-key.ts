import { randomBytes } from 'node:crypto';
import { link, mkdir, readFile, stat, unlink, writeFile } from 'node:fs/promises';
import { join } from 'node:path';
import { CarepathError } from '../../errors/carepath-error.ts';
import type { Logger } from '../../logging/logger.ts';
import { KEY_BYTES, parseKeyRing, type KeyRing } from './key-ring.ts';

/** Where the development key lives, under the data directory. */
export const DEV_KEY_FILE = 'codec-dev-key';

/**
 * The key ring for a platform started without `CAREPATH_CODEC_KEYS`: one development key kept in
 * `<dataDir>/codec-dev-key` (mode 0600, same `keyId:base64key` format as the variable), created on
 * first use and reused afterwards so the history written earlier stays readable. Logs a warning
 * on every call that payloads are encrypted with a development key.
 */
export async function ensureDevKeyRing(dataDir: string, logger: Pick<Logger, 'warn'>): Promise<KeyRing> {
  const file = join(dataDir, DEV_KEY_FILE);
  let created = false;
  let text = await readIfExists(file);
  if (text === undefined) {
    await mkdir(dataDir, { recursive: true }).catch((err: Error) => {
      throw new CarepathError('codec-dev-key-unwritable', `cannot create the data directory ${dataDir}: ${err.message}`);
    });
    created = await createExclusively(file, `dev-${randomBytes(4).toString('hex')}:${randomBytes(KEY_BYTES).toString('base64')}\n`);
    text = (await readIfExists(file))!;
  } else if (process.platform !== 'win32' && ((await stat(file)).mode & 0o077) !== 0) {
    logger.warn({ file }, 'the development payload key file is readable by other users; chmod 600 it');
  }
  const keyRing = parseKeyRing(text, { source: file });
  logger.warn(
    { file, keyId: keyRing.activeKeyId, created },
    'Temporal payloads are encrypted with a DEVELOPMENT key kept in the data directory; set CAREPATH_CODEC_KEYS for real patient data',
  );
  return keyRing;
}

async function readIfExists(file: string): Promise<string | undefined> {
  try {
    return await readFile(file, 'utf8');
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'ENOENT') return undefined;
    throw new CarepathError('codec-dev-key-unreadable', `cannot read the development payload key ${file}: ${(err as Error).message}`);
  }
}

/**
 * Writes the key to a private temporary file and hard-links it into place: the key file appears
 * complete or not at all, and when two processes start at once the first link wins and both use
 * that key. Returns whether this call created the file.
 */
async function createExclusively(file: string, content: string): Promise<boolean> {
  const temporary = `${file}.${process.pid}.${randomBytes(4).toString('hex')}.tmp`;
  try {
    await writeFile(temporary, content, { mode: 0o600, flag: 'wx' });
    await link(temporary, file);
    return true;
  } catch (err) {
    if ((err as NodeJS.ErrnoException).code === 'EEXIST') return false;
    throw new CarepathError('codec-dev-key-unwritable', `cannot create the development payload key ${file}: ${(err as Error).message}`);
  } finally {
    await unlink(temporary).catch(() => undefined);
  }
}
