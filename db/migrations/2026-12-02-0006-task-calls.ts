import type { Kysely } from 'kysely';

// Frozen in time: never edit a migration that has shipped; add a new one.
// A task that asks for a phone call: an escalation by phone is one task to call and close, not a
// task plus a separate call task.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('tasks')
    .addColumn('call', 'boolean', (c) => c.notNull().defaultTo(false))
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('tasks').dropColumn('call').execute();
}
