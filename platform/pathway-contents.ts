import type { Kysely } from 'kysely';
import type { Database } from '../db/database.ts';
import { findPathwayContent, storePathwayContent } from '../db/repositories/pathway-contents.ts';
import type { CompiledPathway } from '../pathway/model/compiled.ts';
import type { PathwayContents } from '../temporal/codec/pathway-reference-codec.ts';

/** Compiled pathways kept in memory at most (journeys of old versions are read from the database). */
const CACHED = 64;

/**
 * Compiled pathways by content hash for the pathway-reference codec: the ones compiled at start
 * in memory, every one a journey ever ran in `pathway_contents`. Storing happens before a
 * reference is written, so every reference in a history can be resolved.
 */
export function pathwayContents(db: Kysely<Database>, compiled: Iterable<CompiledPathway> = []): PathwayContents {
  const cache = new Map<string, CompiledPathway>();
  const stored = new Set<string>();
  const keep = (p: CompiledPathway) => {
    cache.delete(p.hash);
    cache.set(p.hash, p);
    if (cache.size > CACHED) cache.delete(cache.keys().next().value!);
  };
  for (const p of compiled) keep(p);
  return {
    async remember(pathway) {
      if (stored.has(pathway.hash)) return;
      await storePathwayContent(db, pathway);
      stored.add(pathway.hash);
      keep(pathway);
    },
    async find(hash) {
      const hit = cache.get(hash);
      if (hit) return (keep(hit), hit);
      const found = await findPathwayContent(db, hash);
      if (found) keep(found);
      return found;
    },
  };
}
