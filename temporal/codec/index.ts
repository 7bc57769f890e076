// Temporal payload encryption: the codec, its key ring, and the data converter built on them.
export { AesGcmPayloadCodec, ENCRYPTED_ENCODING, KEY_ID_METADATA, isEncryptedPayload } from './aes-gcm-codec.ts';
export { encryptingDataConverter, PAYLOAD_CONVERTER_PATH } from './data-converter.ts';
export { asPlainJson, isPathwayReference, PathwayReferenceCodec, PATHWAY_REFERENCE_ENCODING, type PathwayContents } from './pathway-reference-codec.ts';
export { DEV_KEY_FILE, ensureDevKeyRing } from './dev-key.ts';
export { KeyRing, loadKeyRing, parseKeyRing } from './key-ring.ts';
export { payloadToJson, type JsonPayload } from './payload-json.ts';
