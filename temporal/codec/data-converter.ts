import { fileURLToPath } from 'node:url';
import type { DataConverter } from '@temporalio/common';
import { AesGcmPayloadCodec } from './aes-gcm-codec.ts';
import type { KeyRing } from './key-ring.ts';

/** The failure converter module that moves error messages and stack traces into encrypted payloads. */
export const ENCRYPTING_FAILURE_CONVERTER_PATH = fileURLToPath(new URL('./failure-converter.cjs', import.meta.url));

/**
 * The data converter for every carepath client and worker (`new Client({ dataConverter })`,
 * `Worker.create({ dataConverter })`): payloads encrypted with the key ring, and failure messages
 * and stack traces encrypted as well. Client and worker must use the same key ring.
 */
export function encryptingDataConverter(keyRing: KeyRing): DataConverter {
  return {
    payloadCodecs: [new AesGcmPayloadCodec(keyRing)],
    failureConverterPath: ENCRYPTING_FAILURE_CONVERTER_PATH,
  };
}
