import type { Insertable, Kysely, Selectable, Transaction } from 'kysely';
import type { Database, InboundMessagesTable } from '../database.ts';

type Db = Kysely<Database> | Transaction<Database>;
export type InboundMessage = Selectable<InboundMessagesTable>;

/** The message a provider pushed with this id, if it came before (providers push again when an answer is slow). */
export function findInboundMessage(db: Db, provider: string, providerMessageId: string): Promise<InboundMessage | undefined> {
  return db.selectFrom('inbound_messages').selectAll().where('provider', '=', provider).where('provider_message_id', '=', providerMessageId).executeTakeFirst();
}

/** Records a message once per provider id; false when it was recorded already. */
export async function insertInboundMessageOnce(db: Db, message: Insertable<InboundMessagesTable>): Promise<boolean> {
  const inserted = await db
    .insertInto('inbound_messages')
    .values(message)
    .onConflict((oc) => oc.columns(['provider', 'provider_message_id']).doNothing())
    .returning('id')
    .executeTakeFirst();
  return inserted !== undefined;
}

/** The messages a patient sent about an inquiry (the first opened it), in order. */
export function listInquiryMessages(db: Db, inquiryId: string): Promise<InboundMessage[]> {
  return db.selectFrom('inbound_messages').selectAll().where('inquiry_id', '=', inquiryId).orderBy('received_at').orderBy('recorded_at').execute();
}

/** Messages kept without text (their sender was not certain), newest first. */
export function listUnattachedInboundMessages(db: Db, page: { limit: number; offset: number }): Promise<InboundMessage[]> {
  return db
    .selectFrom('inbound_messages')
    .selectAll()
    .where('outcome', 'in', ['unmatched', 'ambiguous', 'not-enrolled'])
    .orderBy('received_at', 'desc')
    .orderBy('id')
    .limit(page.limit)
    .offset(page.offset)
    .execute();
}
