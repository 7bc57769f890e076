// Loaded by path (DataConverter.payloadConverterPath): the SDK require()s it in the client and
// the worker and bundles it into the workflow sandbox, so it is plain CommonJS with no I/O.
//
// The SDK's default converters, with one addition: a value that carries a compiled pathway
// (a journey's input, an upgrade request) is marked with the pathway's content hash. The
// pathway-reference codec (./pathway-reference-codec.ts) then keeps only a reference to the
// pathway in the history and puts the pathway back when the payload is read.
const { BinaryPayloadConverter, CompositePayloadConverter, JsonPayloadConverter, UndefinedPayloadConverter } = require('@temporalio/common');

/** Metadata naming the content hash of the compiled pathway a JSON payload carries under `pathway`. */
const PATHWAY_HASH_METADATA = 'carepath-pathway-hash';

function compiledPathwayOf(value) {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return null;
  const p = value.pathway;
  if (p === null || typeof p !== 'object' || typeof p.hash !== 'string' || typeof p.id !== 'string' || typeof p.version !== 'string' || !Array.isArray(p.steps))
    return null;
  return p;
}

const json = new JsonPayloadConverter();

class PathwayMarkingJsonConverter {
  encodingType = json.encodingType;

  toPayload(value) {
    const payload = json.toPayload(value);
    const pathway = compiledPathwayOf(value);
    if (payload && pathway) payload.metadata[PATHWAY_HASH_METADATA] = new TextEncoder().encode(pathway.hash);
    return payload;
  }

  fromPayload(payload) {
    return json.fromPayload(payload);
  }
}

exports.PATHWAY_HASH_METADATA = PATHWAY_HASH_METADATA;
exports.payloadConverter = new CompositePayloadConverter(new UndefinedPayloadConverter(), new BinaryPayloadConverter(), new PathwayMarkingJsonConverter());
