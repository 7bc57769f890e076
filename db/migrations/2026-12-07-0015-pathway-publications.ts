import { sql, type Kysely } from 'kysely';

// Frozen in time: never edit a migration that has shipped; add a new one.
// Pathway versions a coordinator published to a running platform (POST /v1/pathways), so every
// API process offers them for the next enrolment and a restart keeps offering them.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('pathway_publications')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('pathway_id', 'text', (c) => c.notNull())
    .addColumn('version', 'text', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .addColumn('published_by', 'text', (c) => c.notNull())
    // Milliseconds, as a JavaScript Date holds them: the processes compare what they read back.
    .addColumn('published_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`date_trunc('milliseconds', clock_timestamp())`))
    .addForeignKeyConstraint('pathway_publications_version_fk', ['pathway_id', 'version'], 'pathway_versions', ['pathway_id', 'version'])
    .execute();
  await db.schema.createIndex('pathway_publications_latest').on('pathway_publications').columns(['pathway_id', 'published_at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('pathway_publications').execute();
}
