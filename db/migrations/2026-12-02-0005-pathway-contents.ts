import { sql, type Kysely } from 'kysely';

// Frozen in time: never edit a migration that has shipped; add a new one.
// Compiled pathways by content hash: what the Temporal payload codec puts back into a journey's
// input when the history holds only a reference (id, version, hash) to it.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('pathway_contents')
    .addColumn('hash', 'text', (c) => c.primaryKey())
    .addColumn('pathway_id', 'text', (c) => c.notNull())
    .addColumn('version', 'text', (c) => c.notNull())
    .addColumn('compiled', 'jsonb', (c) => c.notNull())
    .addColumn('first_seen_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('pathway_contents').execute();
}
