// Frozen in time: never edit a migration that has shipped; add a new one.
// A message of a preference order that failed for good is passed on to the next channel, not
// handed to a person: the row says which channel took over.
import type { Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('outbox_messages').addColumn('passed_to', 'text').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('outbox_messages').dropColumn('passed_to').execute();
}
