import { createRequire } from 'node:module';
import { defaultPayloadConverter, METADATA_ENCODING_KEY, type Payload, type PayloadConverter } from '@temporalio/common';
import { describe, expect, it } from 'vitest';
import { CarepathError } from '../../errors/carepath-error.ts';
import type { CompiledPathway } from '../../pathway/model/compiled.ts';
import {
  asPlainJson,
  isPathwayReference,
  PathwayReferenceCodec,
  PATHWAY_REFERENCE_ENCODING,
  PAYLOAD_CONVERTER_PATH,
  type PathwayContents,
} from '../../temporal/codec/index.ts';
import { compiled } from '../pathway/helpers.ts';

const { payloadConverter } = createRequire(import.meta.url)(PAYLOAD_CONVERTER_PATH) as { payloadConverter: PayloadConverter };
const pathway = compiled('valid/pregnancy.yaml');
const text = (bytes: Uint8Array | null | undefined) => Buffer.from(bytes ?? []).toString('utf8');

/** An in-memory store that counts what it was asked to remember. */
function memoryContents(): PathwayContents & { remembered: string[] } {
  const byHash = new Map<string, CompiledPathway>();
  const remembered: string[] = [];
  return {
    remembered,
    async remember(p) {
      remembered.push(p.hash);
      byHash.set(p.hash, p);
    },
    async find(hash) {
      return byHash.get(hash);
    },
  };
}

const input = { enrollmentId: 'e1', patientRef: 'P-1', journey: { enrolledAt: '2027-01-01T00:00:00Z', anchors: { lmp: '2026-12-01' } }, pathway };

describe('payload converter', () => {
  it('marks a value that carries a compiled pathway with its hash, and nothing else', () => {
    const marked = payloadConverter.toPayload(input);
    expect(text(marked.metadata?.['carepath-pathway-hash'])).toBe(pathway.hash);
    expect(payloadConverter.fromPayload(marked)).toEqual(input);
    const plain = payloadConverter.toPayload({ pathway: { id: 'x' }, other: 1 });
    expect(plain.metadata?.['carepath-pathway-hash']).toBeUndefined();
    expect(payloadConverter.fromPayload(payloadConverter.toPayload('text'))).toBe('text');
    expect(payloadConverter.toPayload(undefined).metadata?.[METADATA_ENCODING_KEY]).toEqual(
      defaultPayloadConverter.toPayload(undefined).metadata?.[METADATA_ENCODING_KEY],
    );
  });
});

describe('PathwayReferenceCodec', () => {
  it('keeps a reference of about a hundred bytes in place of the pathway, after remembering it', async () => {
    const contents = memoryContents();
    const codec = new PathwayReferenceCodec(contents);
    const full = payloadConverter.toPayload(input);
    const [encoded] = await codec.encode([full]);
    expect(contents.remembered).toEqual([pathway.hash]);
    expect(isPathwayReference(encoded!)).toBe(true);
    expect(text(encoded!.metadata?.[METADATA_ENCODING_KEY])).toBe(PATHWAY_REFERENCE_ENCODING);
    expect(encoded!.metadata?.['carepath-pathway-hash']).toBeUndefined();
    const stored = JSON.parse(text(encoded!.data));
    expect(stored.pathway).toEqual({ $pathway: { id: pathway.id, version: pathway.version, hash: pathway.hash } });
    expect(stored.journey).toEqual(input.journey);
    expect(encoded!.data!.length).toBeLessThan(400);
    expect(full.data!.length).toBeGreaterThan(9_000);

    const [decoded] = await codec.decode([encoded!]);
    expect(isPathwayReference(decoded!)).toBe(false);
    expect(payloadConverter.fromPayload(decoded!)).toEqual(input);
  });

  it('keeps inline a pathway whose content is not what its hash says', async () => {
    const contents = memoryContents();
    const forged = { ...input, pathway: { ...pathway, id: 'other.pathway' } };
    const [encoded] = await new PathwayReferenceCodec(contents).encode([payloadConverter.toPayload(forged)]);
    expect(contents.remembered).toEqual([]);
    expect(isPathwayReference(encoded!)).toBe(false);
    expect(encoded!.metadata?.['carepath-pathway-hash']).toBeUndefined();
    expect(payloadConverter.fromPayload(encoded!)).toEqual(forged);
  });

  it('leaves every other payload as it is', async () => {
    const codec = new PathwayReferenceCodec(memoryContents());
    const other: Payload = defaultPayloadConverter.toPayload({ hello: 'world' });
    expect(await codec.encode([other])).toEqual([other]);
    expect(await codec.decode([other])).toEqual([other]);
  });

  it('refuses, naming the pathway, a reference it cannot resolve', async () => {
    const [encoded] = await new PathwayReferenceCodec(memoryContents()).encode([payloadConverter.toPayload(input)]);
    const error = await new PathwayReferenceCodec(memoryContents()).decode([encoded!]).catch((e: unknown) => e);
    expect(error).toBeInstanceOf(CarepathError);
    expect((error as CarepathError).code).toBe('pathway-content-missing');
    expect((error as Error).message).toContain(`${pathway.id}@${pathway.version}`);
  });

  it('shows a reference as plain JSON to people reading a history', async () => {
    const [encoded] = await new PathwayReferenceCodec(memoryContents()).encode([payloadConverter.toPayload(input)]);
    const shown = asPlainJson(encoded!);
    expect(text(shown.metadata?.[METADATA_ENCODING_KEY])).toBe('json/plain');
    expect(JSON.parse(text(shown.data)).pathway.$pathway.hash).toBe(pathway.hash);
  });
});
