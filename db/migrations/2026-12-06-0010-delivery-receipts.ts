import { sql, type Kysely } from 'kysely';

// Frozen in time: never edit a migration that has shipped; add a new one.
// A provider's delivery receipt says what became of a sent message on the patient's phone:
// delivered or not (with the provider's code), when. Receipts find their row by the provider's id.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .alterTable('outbox_messages')
    .addColumn('delivery', 'text', (c) => c.check(sql`delivery in ('delivered', 'undelivered')`))
    .addColumn('delivery_code', 'text')
    .addColumn('delivered_at', 'timestamptz')
    .execute();
  await db.schema
    .createIndex('outbox_messages_by_provider_id')
    .on('outbox_messages')
    .columns(['channel', 'provider_message_id'])
    .where(sql.ref('provider_message_id'), 'is not', null)
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.dropIndex('outbox_messages_by_provider_id').execute();
  await db.schema.alterTable('outbox_messages').dropColumn('delivery').dropColumn('delivery_code').dropColumn('delivered_at').execute();
}
