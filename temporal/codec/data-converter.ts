import { fileURLToPath } from 'node:url';
import type { DataConverter } from '@temporalio/common';
import { AesGcmPayloadCodec } from './aes-gcm-codec.ts';
import type { KeyRing } from './key-ring.ts';
import { PathwayReferenceCodec, type PathwayContents } from './pathway-reference-codec.ts';

/** The failure converter module that moves error messages and stack traces into encrypted payloads. */
export const ENCRYPTING_FAILURE_CONVERTER_PATH = fileURLToPath(new URL('./failure-converter.cjs', import.meta.url));

/** The payload converter module that marks the payloads carrying a compiled pathway. */
export const PAYLOAD_CONVERTER_PATH = fileURLToPath(new URL('./payload-converter.cjs', import.meta.url));

/**
 * The data converter for every carepath client and worker (`new Client({ dataConverter })`,
 * `Worker.create({ dataConverter })`): payloads encrypted with the key ring, and failure messages
 * and stack traces encrypted as well. With `pathways`, journey inputs and upgrade requests keep
 * only a reference to their compiled pathway in the history. Client and worker must use the
 * same key ring and the same pathway store.
 */
export function encryptingDataConverter(keyRing: KeyRing, pathways?: PathwayContents): DataConverter {
  return {
    ...(pathways ? { payloadConverterPath: PAYLOAD_CONVERTER_PATH } : {}),
    payloadCodecs: [...(pathways ? [new PathwayReferenceCodec(pathways)] : []), new AesGcmPayloadCodec(keyRing)],
    failureConverterPath: ENCRYPTING_FAILURE_CONVERTER_PATH,
  };
}
