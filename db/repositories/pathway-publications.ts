import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../database.ts';
import type { CompiledPathway } from '../../pathway/model/compiled.ts';

/** A publication with the compiled version it published. */
export interface Publication {
  pathwayId: string;
  version: string;
  hash: string;
  publishedBy: string;
  publishedAt: Date;
  compiled: CompiledPathway;
}

/** Records that `by` published this (already stored) pathway version. */
export async function insertPathwayPublication(db: Kysely<Database>, pathway: CompiledPathway, by: string): Promise<Date> {
  const row = await db
    .insertInto('pathway_publications')
    .values({ id: randomUUID(), pathway_id: pathway.id, version: pathway.version, hash: pathway.hash, published_by: by })
    .returning('published_at')
    .executeTakeFirstOrThrow();
  return row.published_at;
}

/** The newest publication of each pathway. */
export async function latestPathwayPublications(db: Kysely<Database>): Promise<Publication[]> {
  const query = db
    .selectFrom('pathway_publications as p')
    .innerJoin('pathway_versions as v', (j) => j.onRef('v.pathway_id', '=', 'p.pathway_id').onRef('v.version', '=', 'p.version'))
    .distinctOn('p.pathway_id')
    .select(['p.pathway_id', 'p.version', 'p.hash', 'p.published_by', 'p.published_at', 'v.compiled'])
    .orderBy('p.pathway_id')
    .orderBy('p.published_at', 'desc');
  const rows = await query.execute();
  return rows.map((r) => ({
    pathwayId: r.pathway_id,
    version: r.version,
    hash: r.hash,
    publishedBy: r.published_by,
    publishedAt: r.published_at,
    compiled: r.compiled as CompiledPathway,
  }));
}

/** When a stored pathway version was first recorded, or undefined. */
export async function versionFirstSeen(db: Kysely<Database>, pathwayId: string, version: string): Promise<Date | undefined> {
  const row = await db
    .selectFrom('pathway_versions')
    .select('first_seen_at')
    .where('pathway_id', '=', pathwayId)
    .where('version', '=', version)
    .executeTakeFirst();
  return row?.first_seen_at;
}
