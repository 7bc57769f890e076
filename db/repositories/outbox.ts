import type { Kysely, Selectable, Transaction } from 'kysely';
import type { Database, DeliveryStatus, OutboxMessagesTable } from '../database.ts';

type Db = Kysely<Database> | Transaction<Database>;
export type OutboxMessage = Selectable<OutboxMessagesTable>;

export interface NewOutboxMessage {
  idempotencyKey: string;
  enrollmentId: string;
  stepId: string;
  channel: string;
  audience: string;
  templateId: string;
  variables: Record<string, unknown>;
  urgent: boolean;
}

/** Records the message unless its idempotency key is known; returns nothing, the row is read under lock next. */
export async function insertOutboxMessageOnce(db: Db, message: NewOutboxMessage): Promise<void> {
  await db
    .insertInto('outbox_messages')
    .values({
      idempotency_key: message.idempotencyKey,
      enrollment_id: message.enrollmentId,
      step_id: message.stepId,
      channel: message.channel,
      audience: message.audience,
      template_id: message.templateId,
      variables: JSON.stringify(message.variables),
      urgent: message.urgent,
    })
    .onConflict((oc) => oc.column('idempotency_key').doNothing())
    .execute();
}

/**
 * Reads the message and locks its row until the transaction ends (a short transaction: the
 * hand-over to a person, never a delivery).
 */
export function lockOutboxMessage(trx: Transaction<Database>, idempotencyKey: string): Promise<OutboxMessage> {
  return trx.selectFrom('outbox_messages').selectAll().where('idempotency_key', '=', idempotencyKey).forUpdate().executeTakeFirstOrThrow();
}

/** The message as it is now. */
export function findOutboxMessage(db: Db, idempotencyKey: string): Promise<OutboxMessage> {
  return db.selectFrom('outbox_messages').selectAll().where('idempotency_key', '=', idempotencyKey).executeTakeFirstOrThrow();
}

/** A claimed message, and whether an earlier attempt had claimed it (so may have reached the provider). */
export type ClaimedOutboxMessage = OutboxMessage & { previous_claim: Date | null };

/**
 * Claims a pending message for one delivery attempt until `until`, in one statement: only one
 * attempt holds an unexpired claim. Returns the row when this attempt got it, else undefined;
 * `previous_claim` is the expired claim of an attempt that died mid-delivery, if any.
 */
export function claimOutboxMessage(db: Db, idempotencyKey: string, now: Date, until: Date): Promise<ClaimedOutboxMessage | undefined> {
  const claimable = db
    .selectFrom('outbox_messages')
    .select(['id as claimed_id', 'claimed_until as previous_claim'])
    .where('idempotency_key', '=', idempotencyKey)
    .where('status', '=', 'pending')
    .where((eb) => eb.or([eb('claimed_until', 'is', null), eb('claimed_until', '<', now)]))
    .forUpdate();
  return db
    .updateTable('outbox_messages')
    .from(claimable.as('previous'))
    .set({ claimed_until: until })
    .whereRef('outbox_messages.id', '=', 'previous.claimed_id')
    .returningAll('outbox_messages')
    .returning('previous.previous_claim')
    .executeTakeFirst();
}

/** Marks a message delivered and ends its claim. */
export async function markOutboxSent(db: Db, id: string, providerMessageId: string, at: string): Promise<void> {
  await db
    .updateTable('outbox_messages')
    .set((eb) => ({
      status: 'sent',
      provider_message_id: providerMessageId,
      sent_at: at,
      attempts: eb('attempts', '+', 1),
      last_error: null,
      claimed_until: null,
    }))
    .where('id', '=', id)
    .execute();
}

/** Counts a failed delivery attempt and ends its claim; the message stays pending for the next retry. */
export async function markOutboxAttemptFailed(db: Db, id: string, error: string): Promise<void> {
  await db
    .updateTable('outbox_messages')
    .set((eb) => ({ last_error: error.slice(0, 500), attempts: eb('attempts', '+', 1), claimed_until: null }))
    .where('id', '=', id)
    .execute();
}

/**
 * Gives up on a pending message after its last retry: a person delivers it instead, or — in a
 * preference order — the channel `passedTo` takes over.
 */
export async function markOutboxUndeliverable(db: Db, idempotencyKey: string, passedTo: string | null = null): Promise<OutboxMessage | undefined> {
  return db
    .updateTable('outbox_messages')
    .set({ status: 'failed', passed_to: passedTo })
    .where('idempotency_key', '=', idempotencyKey)
    .where('status', '=', 'pending')
    .returningAll()
    .executeTakeFirst();
}

/** All messages of one enrolment, oldest first. */
export function listOutboxMessages(db: Db, enrollmentId: string): Promise<OutboxMessage[]> {
  return db.selectFrom('outbox_messages').selectAll().where('enrollment_id', '=', enrollmentId).orderBy('id').execute();
}

/** The messages with these idempotency keys, in the order they were written. */
export function listOutboxMessagesByKeys(db: Db, idempotencyKeys: readonly string[]): Promise<OutboxMessage[]> {
  if (idempotencyKeys.length === 0) return Promise.resolve([]);
  return db.selectFrom('outbox_messages').selectAll().where('idempotency_key', 'in', idempotencyKeys).orderBy('id').execute();
}

/** A provider's delivery receipt for one message, found by the provider's id (or the outbox key it was sent with). */
export interface DeliveryReceipt {
  channel: string;
  providerMessageId: string;
  idempotencyKey?: string;
  delivery: DeliveryStatus;
  code: string | null;
  at: Date;
}

/**
 * Records a receipt on its sent message; returns whether one was found. A later receipt replaces
 * an earlier one (a carrier's retry may deliver after a first failure report); a receipt for a
 * message not sent, or another channel's, changes nothing.
 */
export async function recordDeliveryReceipt(db: Db, receipt: DeliveryReceipt): Promise<boolean> {
  const updated = await db
    .updateTable('outbox_messages')
    .set({ delivery: receipt.delivery, delivery_code: receipt.code, delivered_at: receipt.at })
    .where('channel', '=', receipt.channel)
    .where('status', '=', 'sent')
    .where((eb) =>
      receipt.idempotencyKey
        ? eb.or([eb('provider_message_id', '=', receipt.providerMessageId), eb('idempotency_key', '=', receipt.idempotencyKey)])
        : eb('provider_message_id', '=', receipt.providerMessageId),
    )
    .where((eb) => eb.or([eb('delivered_at', 'is', null), eb('delivered_at', '<=', receipt.at)]))
    .executeTakeFirst();
  return Number(updated.numUpdatedRows) > 0;
}

/** What the outbox knows of each message's delivery, by idempotency key: its status and the provider's receipt. */
export async function findDeliveries(db: Db, idempotencyKeys: readonly string[]): Promise<Map<string, Pick<OutboxMessage, 'status' | 'delivery'>>> {
  if (idempotencyKeys.length === 0) return new Map();
  const rows = await db
    .selectFrom('outbox_messages')
    .select(['idempotency_key', 'status', 'delivery'])
    .where('idempotency_key', 'in', [...idempotencyKeys])
    .execute();
  return new Map(rows.map((r) => [r.idempotency_key, { status: r.status, delivery: r.delivery }]));
}
