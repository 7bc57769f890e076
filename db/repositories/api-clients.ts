import type { Kysely, Selectable, Transaction } from 'kysely';
import type { ApiClientsTable, Database } from '../database.ts';

type Db = Kysely<Database> | Transaction<Database>;
export type ApiClient = Selectable<ApiClientsTable>;

export interface NewApiClient {
  id: string;
  name: string;
  role: string;
  butlerId: string | null;
  keyHash: string;
  keyPrefix: string;
  createdBy: string;
}

/** Stores a client; its key hash must be new. */
export async function insertApiClient(db: Db, client: NewApiClient): Promise<ApiClient> {
  return db
    .insertInto('api_clients')
    .values({
      id: client.id,
      name: client.name,
      role: client.role,
      butler_id: client.butlerId,
      key_hash: client.keyHash,
      key_prefix: client.keyPrefix,
      created_by: client.createdBy,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** The active (not revoked) client holding the key with this hash, or undefined. */
export function findActiveApiClientByKeyHash(db: Db, keyHash: string): Promise<ApiClient | undefined> {
  return db.selectFrom('api_clients').selectAll().where('key_hash', '=', keyHash).where('revoked_at', 'is', null).executeTakeFirst();
}

/** The client holding the key with this hash, revoked or not, or undefined. */
export function findApiClientByKeyHash(db: Db, keyHash: string): Promise<ApiClient | undefined> {
  return db.selectFrom('api_clients').selectAll().where('key_hash', '=', keyHash).executeTakeFirst();
}

/** Whether any active client has this role. */
export async function hasActiveClientWithRole(db: Db, role: string): Promise<boolean> {
  const row = await db.selectFrom('api_clients').select('id').where('role', '=', role).where('revoked_at', 'is', null).limit(1).executeTakeFirst();
  return row !== undefined;
}

/** Whether an active butler key carries this butler id (someone a task can be handed to). */
export async function isActiveButler(db: Db, butlerId: string): Promise<boolean> {
  const row = await db
    .selectFrom('api_clients')
    .select('id')
    .where('role', '=', 'butler')
    .where('butler_id', '=', butlerId)
    .where('revoked_at', 'is', null)
    .limit(1)
    .executeTakeFirst();
  return row !== undefined;
}

/** Every client, newest first (no key hashes). */
export function listApiClients(db: Db): Promise<Omit<ApiClient, 'key_hash'>[]> {
  return db
    .selectFrom('api_clients')
    .select(['id', 'name', 'role', 'butler_id', 'key_prefix', 'created_at', 'created_by', 'revoked_at'])
    .orderBy('created_at', 'desc')
    .execute();
}

/** Revokes a client's key; returns whether an active client was revoked. */
export async function revokeApiClient(db: Db, id: string, at: string): Promise<boolean> {
  const result = await db.updateTable('api_clients').set({ revoked_at: at }).where('id', '=', id).where('revoked_at', 'is', null).executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}
