import { randomBytes } from 'node:crypto';
import { mkdtemp, readFile, rm, stat, chmod, writeFile } from 'node:fs/promises';
import { createRequire } from 'node:module';
import { tmpdir } from 'node:os';
import { join } from 'node:path';
import { inspect } from 'node:util';
import { defaultPayloadConverter, type Payload } from '@temporalio/common';
import { pino } from 'pino';
import { afterEach, beforeEach, describe, expect, it } from 'vitest';
import { CarepathError } from '../../errors/carepath-error.ts';
import {
  AesGcmPayloadCodec,
  DEV_KEY_FILE,
  ENCRYPTED_ENCODING,
  KEY_ID_METADATA,
  encryptingDataConverter,
  ensureDevKeyRing,
  isEncryptedPayload,
  loadKeyRing,
  type KeyRing,
} from '../../temporal/codec/index.ts';

const PATIENT = { name: 'Wang Xiaoming', mrn: 'MRN-0042' };
const text = (bytes: Uint8Array | null | undefined) => Buffer.from(bytes ?? []).toString('utf8');
const newKey = () => randomBytes(32).toString('base64');

function ring(keys: Record<string, string>, active?: string): KeyRing {
  const spec = Object.entries(keys)
    .map(([id, key]) => `${id}:${key}`)
    .join(',');
  return loadKeyRing({ CAREPATH_CODEC_KEYS: spec, CAREPATH_CODEC_ACTIVE_KEY: active })!;
}

function patientPayload(): Payload {
  return defaultPayloadConverter.toPayload(PATIENT);
}

function configError(env: Record<string, string>): CarepathError {
  try {
    loadKeyRing(env);
  } catch (err) {
    expect(err).toBeInstanceOf(CarepathError);
    expect((err as CarepathError).code).toBe('codec-config-invalid');
    expect((err as Error).message).not.toContain('\n');
    return err as CarepathError;
  }
  throw new Error('loadKeyRing accepted the configuration');
}

async function decodeError(codec: AesGcmPayloadCodec, payload: Payload): Promise<CarepathError> {
  const err = await codec.decode([payload]).then(
    () => {
      throw new Error('decode accepted the payload');
    },
    (e: unknown) => e,
  );
  expect(err).toBeInstanceOf(CarepathError);
  return err as CarepathError;
}

describe('AesGcmPayloadCodec', () => {
  const k1 = newKey();
  const k2 = newKey();

  it('round-trips a payload, hiding its data and its original metadata', async () => {
    const codec = new AesGcmPayloadCodec(ring({ k1 }));
    const original = patientPayload();
    const [encrypted] = await codec.encode([original]);

    expect(text(encrypted!.metadata!.encoding)).toBe(ENCRYPTED_ENCODING);
    expect(text(encrypted!.metadata![KEY_ID_METADATA])).toBe('k1');
    expect(Object.keys(encrypted!.metadata!)).toHaveLength(2);
    expect(text(encrypted!.data)).not.toContain(PATIENT.name);
    expect(text(encrypted!.data)).not.toContain('json/plain');
    expect(isEncryptedPayload(encrypted!)).toBe(true);

    const [decoded] = await codec.decode([encrypted!]);
    expect(defaultPayloadConverter.fromPayload(decoded!)).toEqual(PATIENT);
    expect(text(decoded!.metadata!.encoding)).toBe('json/plain');
  });

  it('handles several payloads and none', async () => {
    const codec = new AesGcmPayloadCodec(ring({ k1 }));
    const values = ['a', 1, null, { nested: [true] }];
    const encoded = await codec.encode(values.map((value) => defaultPayloadConverter.toPayload(value)));
    const decoded = await codec.decode(encoded);
    expect(decoded.map((payload) => defaultPayloadConverter.fromPayload(payload))).toEqual(values);
    expect(await codec.encode([])).toEqual([]);
    expect(await codec.decode([])).toEqual([]);
  });

  it('uses a fresh IV for every payload, so equal inputs encrypt differently', async () => {
    const codec = new AesGcmPayloadCodec(ring({ k1 }));
    const [first, second] = await codec.encode([patientPayload(), patientPayload()]);
    expect(Buffer.from(first!.data!).equals(Buffer.from(second!.data!))).toBe(false);
    expect(Buffer.from(first!.data!.subarray(0, 12)).equals(Buffer.from(second!.data!.subarray(0, 12)))).toBe(false);
  });

  it('keeps decoding payloads of the old key after rotation, and encrypts new ones with the new key', async () => {
    const [beforeRotation] = await new AesGcmPayloadCodec(ring({ k1 })).encode([patientPayload()]);
    const rotated = new AesGcmPayloadCodec(ring({ k1, k2 }, 'k2'));

    const [afterRotation] = await rotated.encode([patientPayload()]);
    expect(text(afterRotation!.metadata![KEY_ID_METADATA])).toBe('k2');

    const decoded = await rotated.decode([beforeRotation!, afterRotation!]);
    expect(decoded.map((payload) => defaultPayloadConverter.fromPayload(payload))).toEqual([PATIENT, PATIENT]);
  });

  it.each([
    ['the IV', 0],
    ['the ciphertext', 20],
    ['the authentication tag', -1],
  ])('detects a flipped byte in %s', async (_part, index) => {
    const codec = new AesGcmPayloadCodec(ring({ k1 }));
    const [encrypted] = await codec.encode([patientPayload()]);
    const data = Buffer.from(encrypted!.data!);
    const at = index < 0 ? data.length + index : index;
    data[at] = data[at]! ^ 0x01;

    const err = await decodeError(codec, { ...encrypted!, data });
    expect(err.code).toBe('codec-decrypt-failed');
    expect(err.message).toContain("'k1'");
  });

  it('rejects data too short to hold an IV and a tag', async () => {
    const codec = new AesGcmPayloadCodec(ring({ k1 }));
    const [encrypted] = await codec.encode([patientPayload()]);
    const err = await decodeError(codec, { ...encrypted!, data: encrypted!.data!.subarray(0, 20) });
    expect(err.code).toBe('codec-decrypt-failed');
  });

  it('fails on an unknown key id with an error naming the id, never a key', async () => {
    const [encrypted] = await new AesGcmPayloadCodec(ring({ retired: k1 })).encode([patientPayload()]);
    const err = await decodeError(new AesGcmPayloadCodec(ring({ k2 })), encrypted!);
    expect(err.code).toBe('codec-unknown-key');
    expect(err.message).toContain("'retired'");
    expect(err.message).toContain('k2');
    expect(err.message).not.toContain(k1);
    expect(err.message).not.toContain(k2);
  });

  it('fails on an encrypted payload without a key id', async () => {
    const codec = new AesGcmPayloadCodec(ring({ k1 }));
    const [encrypted] = await codec.encode([patientPayload()]);
    const err = await decodeError(codec, { metadata: { encoding: encrypted!.metadata!.encoding! }, data: encrypted!.data! });
    expect(err.code).toBe('codec-key-id-missing');
  });

  it('passes payloads that were never encrypted through decode unchanged', async () => {
    const codec = new AesGcmPayloadCodec(ring({ k1 }));
    const plain = [patientPayload(), defaultPayloadConverter.toPayload(undefined), defaultPayloadConverter.toPayload(new Uint8Array([1, 2])), {}];
    const decoded = await codec.decode(plain);
    decoded.forEach((payload, index) => expect(payload).toBe(plain[index]));
  });

  it('a key with the right id but other bytes does not decrypt', async () => {
    const [encrypted] = await new AesGcmPayloadCodec(ring({ k1 })).encode([patientPayload()]);
    const err = await decodeError(new AesGcmPayloadCodec(ring({ k1: k2 })), encrypted!);
    expect(err.code).toBe('codec-decrypt-failed');
  });
});

describe('loadKeyRing', () => {
  const k1 = newKey();
  const k2 = newKey();

  it('is null when no keys are configured', () => {
    expect(loadKeyRing({})).toBeNull();
    expect(loadKeyRing({ CAREPATH_CODEC_KEYS: '  ' })).toBeNull();
  });

  it('makes the last listed key active unless CAREPATH_CODEC_ACTIVE_KEY names one', () => {
    expect(loadKeyRing({ CAREPATH_CODEC_KEYS: `k1:${k1},k2:${k2}` })!.activeKeyId).toBe('k2');
    const explicit = loadKeyRing({ CAREPATH_CODEC_KEYS: ` k1:${k1} , k2:${k2} ,`, CAREPATH_CODEC_ACTIVE_KEY: 'k1' })!;
    expect(explicit.activeKeyId).toBe('k1');
    expect(explicit.keyIds).toEqual(['k1', 'k2']);
  });

  it('never shows key material when logged or serialised', () => {
    const keyRing = loadKeyRing({ CAREPATH_CODEC_KEYS: `k1:${k1},k2:${k2}` })!;
    for (const shown of [JSON.stringify(keyRing), inspect(keyRing, { depth: 10, showHidden: true }), JSON.stringify({ keyRing })]) {
      expect(shown).not.toContain(k1);
      expect(shown).not.toContain(k2);
    }
    expect(JSON.parse(JSON.stringify(keyRing))).toEqual({ activeKeyId: 'k2', keyIds: ['k1', 'k2'] });
  });

  it('rejects bad base64 without quoting it', () => {
    const err = configError({ CAREPATH_CODEC_KEYS: `k1:${k1},k2:not*base64!` });
    expect(err.message).toBe("CAREPATH_CODEC_KEYS key 'k2' is not valid base64");
  });

  it('rejects keys that are not 32 bytes', () => {
    const err = configError({ CAREPATH_CODEC_KEYS: `short:${randomBytes(16).toString('base64')}` });
    expect(err.message).toMatch(/^CAREPATH_CODEC_KEYS key 'short' is 16 bytes; AES-256 needs 32/);
  });

  it('rejects an active key id that is not in the ring', () => {
    const err = configError({ CAREPATH_CODEC_KEYS: `k1:${k1},k2:${k2}`, CAREPATH_CODEC_ACTIVE_KEY: 'k3' });
    expect(err.message).toBe("CAREPATH_CODEC_ACTIVE_KEY 'k3' is not in CAREPATH_CODEC_KEYS (k1, k2)");
  });

  it('rejects an active key without any keys', () => {
    expect(configError({ CAREPATH_CODEC_ACTIVE_KEY: 'k1' }).message).toContain('CAREPATH_CODEC_KEYS is empty');
  });

  it('rejects entries without an id, bad ids and duplicate ids', () => {
    const bare = configError({ CAREPATH_CODEC_KEYS: `k1:${k1},${k2}` });
    expect(bare.message).toBe('CAREPATH_CODEC_KEYS entry 2 is not keyId:base64key');
    expect(bare.message).not.toContain(k2);
    expect(configError({ CAREPATH_CODEC_KEYS: `bad id:${k1}` }).message).toContain("invalid key id 'bad id'");
    expect(configError({ CAREPATH_CODEC_KEYS: `k1:${k1},k1:${k2}` }).message).toBe("CAREPATH_CODEC_KEYS lists key id 'k1' twice");
    expect(configError({ CAREPATH_CODEC_KEYS: ',,' }).message).toBe('CAREPATH_CODEC_KEYS lists no keys');
  });
});

describe('ensureDevKeyRing', () => {
  let dataDir: string;
  let logLines: string[];
  const logger = () => pino({ level: 'warn' }, { write: (line: string) => void logLines.push(line) });

  beforeEach(async () => {
    dataDir = join(await mkdtemp(join(tmpdir(), 'carepath-codec-')), 'data');
    logLines = [];
  });
  afterEach(async () => {
    await rm(join(dataDir, '..'), { recursive: true, force: true });
  });

  it('creates a private development key, warns about it, and reuses it on the next start', async () => {
    const first = await ensureDevKeyRing(dataDir, logger());
    const file = join(dataDir, DEV_KEY_FILE);
    expect((await stat(file)).mode & 0o777).toBe(0o600);
    expect(first.activeKeyId).toMatch(/^dev-[0-9a-f]{8}$/);
    const [encrypted] = await new AesGcmPayloadCodec(first).encode([patientPayload()]);

    const second = await ensureDevKeyRing(dataDir, logger());
    expect(second.activeKeyId).toBe(first.activeKeyId);
    const [decoded] = await new AesGcmPayloadCodec(second).decode([encrypted!]);
    expect(defaultPayloadConverter.fromPayload(decoded!)).toEqual(PATIENT);

    const warnings = logLines.map((line) => JSON.parse(line) as { level: number; msg: string; created: boolean; keyId: string });
    expect(warnings.map((warning) => [warning.level, warning.created, warning.keyId])).toEqual([
      [40, true, first.activeKeyId],
      [40, false, first.activeKeyId],
    ]);
    expect(warnings[0]!.msg).toContain('DEVELOPMENT key');
    const key = (await readFile(file, 'utf8')).trim().split(':')[1]!;
    expect(logLines.join('')).not.toContain(key);
  });

  it('gives processes starting at the same time one and the same key', async () => {
    const rings = await Promise.all(Array.from({ length: 6 }, () => ensureDevKeyRing(dataDir, logger())));
    expect(new Set(rings.map((keyRing) => keyRing.activeKeyId)).size).toBe(1);
  });

  it('names the file when it is malformed, and warns when others can read it', async () => {
    await ensureDevKeyRing(dataDir, logger());
    const file = join(dataDir, DEV_KEY_FILE);
    await chmod(file, 0o644);
    logLines = [];
    await ensureDevKeyRing(dataDir, logger());
    expect(logLines[0]).toContain('readable by other users');

    await writeFile(file, 'dev-1:c2hvcnQ=\n');
    await expect(ensureDevKeyRing(dataDir, logger())).rejects.toThrow(`${file} key 'dev-1' is 5 bytes; AES-256 needs 32`);
  });
});

describe('encryptingDataConverter', () => {
  it('encrypts payloads and moves failure messages into payloads', () => {
    const converter = encryptingDataConverter(ring({ k1: newKey() }));
    expect(converter.payloadCodecs).toHaveLength(1);
    expect(converter.payloadCodecs![0]).toBeInstanceOf(AesGcmPayloadCodec);
    const { failureConverter } = createRequire(import.meta.url)(converter.failureConverterPath!) as {
      failureConverter: { options: { encodeCommonAttributes: boolean } };
    };
    expect(failureConverter.options.encodeCommonAttributes).toBe(true);
  });
});
