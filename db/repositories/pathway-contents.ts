import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../database.ts';
import type { CompiledPathway } from '../../pathway/model/compiled.ts';

type Db = Kysely<Database> | Transaction<Database>;

/** Stores a compiled pathway under its content hash (once). */
export async function storePathwayContent(db: Db, pathway: CompiledPathway): Promise<void> {
  await db
    .insertInto('pathway_contents')
    .values({ hash: pathway.hash, pathway_id: pathway.id, version: pathway.version, compiled: JSON.stringify(pathway) })
    .onConflict((oc) => oc.column('hash').doNothing())
    .execute();
}

/** The compiled pathway with this content hash, or undefined. */
export async function findPathwayContent(db: Db, hash: string): Promise<CompiledPathway | undefined> {
  const row = await db.selectFrom('pathway_contents').select('compiled').where('hash', '=', hash).executeTakeFirst();
  return row?.compiled as CompiledPathway | undefined;
}
