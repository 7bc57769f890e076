// Frozen in time: never edit a migration that has shipped; add a new one.
// Inquiries get their reply (what the butler answered, and whether it went to the patient as a
// message or was said on the phone) and the patient's messages that came in through a channel:
// WeChat and SMS uplinks, each kept once by the provider's message id (providers push again
// when an answer is slow). Patients get a keyed-hash index of their contact points, so that an
// uplink finds its patient without decrypting every identity.
import { sql, type Kysely } from 'kysely';

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('inquiries').addColumn('reply', 'text').addColumn('reply_via', 'text').execute();

  await db.schema
    .createTable('inbound_messages')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('provider', 'text', (c) => c.notNull())
    .addColumn('provider_message_id', 'text', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('patient_ref', 'text')
    .addColumn('inquiry_id', 'text', (c) => c.references('inquiries.id'))
    // attached (to the open inquiry), opened (a new inquiry), unmatched, ambiguous, not-enrolled
    .addColumn('outcome', 'text', (c) => c.notNull())
    .addColumn('text', 'text')
    .addColumn('received_at', 'timestamptz', (c) => c.notNull())
    .addColumn('recorded_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('inbound_messages_provider_unique', ['provider', 'provider_message_id'])
    .execute();
  await db.schema.createIndex('inbound_messages_inquiry_idx').on('inbound_messages').column('inquiry_id').execute();

  await db.schema
    .createTable('patient_contacts')
    .addColumn('patient_ref', 'text', (c) => c.notNull().references('patients.patient_ref').onDelete('cascade'))
    // mobile, wechat-openid: `hmac-sha256:<keyId>:<hex>` of the normalised contact point
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('hash', 'text', (c) => c.notNull())
    .addPrimaryKeyConstraint('patient_contacts_pk', ['patient_ref', 'kind'])
    .execute();
  await db.schema.createIndex('patient_contacts_hash_idx').on('patient_contacts').columns(['kind', 'hash']).execute();
  // Identities stored before the index: indexed at the next start (they must be decrypted for it).
  await db.schema.alterTable('patients').addColumn('contacts_indexed_at', 'timestamptz').execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  await db.schema.alterTable('patients').dropColumn('contacts_indexed_at').execute();
  await db.schema.dropTable('patient_contacts').execute();
  await db.schema.dropTable('inbound_messages').execute();
  await db.schema.alterTable('inquiries').dropColumn('reply_via').dropColumn('reply').execute();
}
