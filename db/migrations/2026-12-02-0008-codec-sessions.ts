import { sql, type Kysely } from 'kysely';

// Frozen in time: never edit a migration that has shipped; add a new one.
// Operators' codec sign-in sessions (Temporal Web UI), kept where every API process sees them:
// a restart or a second API process no longer signs anyone out. Only the token's hash is stored.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('codec_sessions')
    .addColumn('token_hash', 'text', (c) => c.primaryKey())
    .addColumn('client_id', 'text', (c) => c.notNull().references('api_clients.id').onDelete('cascade'))
    .addColumn('roles', 'jsonb', (c) => c.notNull())
    .addColumn('expires_at', 'timestamptz', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .execute();
  await db.schema.createIndex('codec_sessions_expires_at').on('codec_sessions').column('expires_at').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropTable('codec_sessions').execute();
}
