import type { Kysely, Selectable } from 'kysely';
import type { Database, PathwayVersionsTable } from '../database.ts';
import type { CompiledPathway } from '../../pathway/model/compiled.ts';

export type PathwayVersionRow = Selectable<PathwayVersionsTable>;

/** Stores a compiled version once; returns the hash already stored under that id and version. */
export async function recordPathwayVersion(db: Kysely<Database>, pathway: CompiledPathway): Promise<string> {
  await db
    .insertInto('pathway_versions')
    .values({
      pathway_id: pathway.id,
      version: pathway.version,
      hash: pathway.hash,
      program: pathway.program,
      title: pathway.title,
      compiled: JSON.stringify(pathway),
    })
    .onConflict((oc) => oc.columns(['pathway_id', 'version']).doNothing())
    .execute();
  const row = await db
    .selectFrom('pathway_versions')
    .select('hash')
    .where('pathway_id', '=', pathway.id)
    .where('version', '=', pathway.version)
    .executeTakeFirstOrThrow();
  return row.hash;
}

/** Every stored version of a pathway, newest first (by first appearance). */
export function listPathwayVersions(db: Kysely<Database>, pathwayId: string): Promise<Omit<PathwayVersionRow, 'compiled'>[]> {
  return db
    .selectFrom('pathway_versions')
    .select(['pathway_id', 'version', 'hash', 'program', 'title', 'first_seen_at'])
    .where('pathway_id', '=', pathwayId)
    .orderBy('first_seen_at', 'desc')
    .execute();
}

/** One stored compiled version, or undefined. */
export async function findPathwayVersion(db: Kysely<Database>, pathwayId: string, version: string): Promise<CompiledPathway | undefined> {
  const row = await db.selectFrom('pathway_versions').select('compiled').where('pathway_id', '=', pathwayId).where('version', '=', version).executeTakeFirst();
  return row?.compiled as CompiledPathway | undefined;
}
