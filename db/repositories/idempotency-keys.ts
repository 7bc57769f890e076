import type { Kysely, Selectable, Transaction } from 'kysely';
import type { Database, IdempotencyKeysTable } from '../database.ts';

type Db = Kysely<Database> | Transaction<Database>;
export type IdempotencyRecord = Selectable<IdempotencyKeysTable>;

/**
 * Claims a key for a request: returns null when this call claimed it, else the record already
 * there (finished, with its reply, or still in progress with status_code null).
 */
export async function claimIdempotencyKey(db: Db, clientId: string, key: string, requestHash: string): Promise<IdempotencyRecord | null> {
  const inserted = await db
    .insertInto('idempotency_keys')
    .values({ client_id: clientId, key, request_hash: requestHash })
    .onConflict((oc) => oc.columns(['client_id', 'key']).doNothing())
    .executeTakeFirst();
  if (Number(inserted.numInsertedOrUpdatedRows ?? 0) > 0) return null;
  return (await db.selectFrom('idempotency_keys').selectAll().where('client_id', '=', clientId).where('key', '=', key).executeTakeFirst()) ?? null;
}

/** Keeps the reply of a finished request for replay. */
export async function completeIdempotencyKey(db: Db, clientId: string, key: string, statusCode: number, response: unknown): Promise<void> {
  await db
    .updateTable('idempotency_keys')
    .set({ status_code: statusCode, response: JSON.stringify(response) })
    .where('client_id', '=', clientId)
    .where('key', '=', key)
    .execute();
}

/** Forgets a claim whose request failed, so that the caller may retry with the same key. */
export async function releaseIdempotencyKey(db: Db, clientId: string, key: string): Promise<void> {
  await db.deleteFrom('idempotency_keys').where('client_id', '=', clientId).where('key', '=', key).where('status_code', 'is', null).execute();
}
