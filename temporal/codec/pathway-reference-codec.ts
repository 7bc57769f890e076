import { createRequire } from 'node:module';
import { METADATA_ENCODING_KEY, type Payload, type PayloadCodec } from '@temporalio/common';
import { CarepathError } from '../../errors/carepath-error.ts';
import { contentHash } from '../../pathway/compiler/canonical.ts';
import type { CompiledPathway } from '../../pathway/model/compiled.ts';

const { PATHWAY_HASH_METADATA } = createRequire(import.meta.url)('./payload-converter.cjs') as { PATHWAY_HASH_METADATA: string };

/** `encoding` of a JSON payload whose `pathway` is a reference `{ $pathway: { id, version, hash } }`. */
export const PATHWAY_REFERENCE_ENCODING = 'json/carepath-pathway-ref';

/** Where compiled pathways are kept by content hash (the registry, then the database). */
export interface PathwayContents {
  /** Makes sure the pathway can be found by its hash later (stores it if needed). */
  remember(pathway: CompiledPathway): Promise<void>;
  find(hash: string): Promise<CompiledPathway | undefined>;
}

export interface PathwayReference {
  id: string;
  version: string;
  hash: string;
}

const utf8 = new TextDecoder();
const encoder = new TextEncoder();

/**
 * Keeps compiled pathways out of journey histories. A payload the converter marked with the
 * hash of the pathway it carries (a journey's input, at every run, and an upgrade request) is
 * written with a reference instead — about 100 bytes instead of 15–60 KiB — once the pathway is
 * remembered by its content hash; reading it puts the pathway back. Content addressing makes
 * this deterministic: a hash names one pathway for ever. Runs before encryption.
 */
export class PathwayReferenceCodec implements PayloadCodec {
  constructor(private readonly contents: PathwayContents) {}

  async encode(payloads: Payload[]): Promise<Payload[]> {
    return Promise.all(payloads.map(async (p) => (p.metadata?.[PATHWAY_HASH_METADATA] ? this.reference(p) : p)));
  }

  async decode(payloads: Payload[]): Promise<Payload[]> {
    return Promise.all(payloads.map(async (p) => (isPathwayReference(p) ? this.resolve(p) : p)));
  }

  private async reference(payload: Payload): Promise<Payload> {
    const value = JSON.parse(utf8.decode(payload.data ?? new Uint8Array())) as { pathway: CompiledPathway };
    const { [PATHWAY_HASH_METADATA]: _mark, ...unmarked } = payload.metadata ?? {};
    // Only a pathway whose content is what its hash says is kept by reference; anything else
    // (a hand-made object, say) stays in the payload as it is.
    const { hash: _hash, ...body } = value.pathway;
    if (contentHash(body) !== value.pathway.hash) return { ...payload, metadata: unmarked };
    await this.contents.remember(value.pathway);
    const { id, version, hash } = value.pathway;
    const reference: PathwayReference = { id, version, hash };
    return {
      metadata: { ...unmarked, [METADATA_ENCODING_KEY]: encoder.encode(PATHWAY_REFERENCE_ENCODING) },
      data: encoder.encode(JSON.stringify({ ...value, pathway: { $pathway: reference } })),
    };
  }

  private async resolve(payload: Payload): Promise<Payload> {
    const value = JSON.parse(utf8.decode(payload.data ?? new Uint8Array())) as { pathway: { $pathway: PathwayReference } };
    const reference = value.pathway.$pathway;
    const pathway = await this.contents.find(reference.hash);
    if (!pathway || pathway.id !== reference.id) {
      throw new CarepathError(
        'pathway-content-missing',
        `pathway ${reference.id}@${reference.version} (${reference.hash.slice(0, 19)}…) named in a journey's history is not in pathway_contents; restore it from a backup of the database`,
      );
    }
    return {
      metadata: { ...payload.metadata, [METADATA_ENCODING_KEY]: encoder.encode('json/plain') },
      data: encoder.encode(JSON.stringify({ ...value, pathway })),
    };
  }
}

/** Whether a payload holds a pathway reference. */
export function isPathwayReference(payload: Payload): boolean {
  const encoding = payload.metadata?.[METADATA_ENCODING_KEY];
  return encoding !== undefined && encoding !== null && utf8.decode(encoding) === PATHWAY_REFERENCE_ENCODING;
}

/** The same payload as plain JSON, reference left as it is (for people reading a history). */
export function asPlainJson(payload: Payload): Payload {
  return isPathwayReference(payload) ? { ...payload, metadata: { ...payload.metadata, [METADATA_ENCODING_KEY]: encoder.encode('json/plain') } } : payload;
}
