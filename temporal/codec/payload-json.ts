import type { Payload } from '@temporalio/common';
// Deep import on purpose: the SDK's proto3-JSON conversion for payloads is not re-exported from
// the package root (Temporal's docs import historyToJSON from this module the same way).
import { JSONToPayload, payloadToJSON, type JSONPayload } from '@temporalio/common/lib/proto-utils.js';
import { CarepathError } from '../../errors/carepath-error.ts';

/** A Payload in protobuf JSON, as the Temporal Web UI and CLI send it to a codec server: bytes are base64. */
export type JsonPayload = JSONPayload;

/** Parses one protobuf-JSON payload; `where` names it in the one-line error. */
export function payloadFromJson(json: JsonPayload, where: string): Payload {
  try {
    return JSONToPayload(json);
  } catch (err) {
    throw new CarepathError('invalid-payload', `${where} is not a Temporal Payload in protobuf JSON: ${(err as Error).message}`);
  }
}

/** One payload as protobuf JSON. */
export function payloadToJson(payload: Payload): JsonPayload {
  return payloadToJSON(payload);
}
