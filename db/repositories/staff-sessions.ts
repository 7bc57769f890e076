import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../database.ts';

type Db = Kysely<Database> | Transaction<Database>;

/** The API client behind an open staff session. */
export interface StaffSessionClient {
  client_id: string;
  name: string;
  role: string;
  butler_id: string | null;
  expires_at: Date;
}

/** Stores a session by its token's hash; removes sessions that have expired. */
export async function insertStaffSession(db: Db, session: { tokenHash: string; clientId: string; expiresAt: Date }): Promise<void> {
  await db.deleteFrom('staff_sessions').where('expires_at', '<=', new Date()).execute();
  await db.insertInto('staff_sessions').values({ token_hash: session.tokenHash, client_id: session.clientId, expires_at: session.expiresAt }).execute();
}

/** The open session with this token hash whose API client is still active, with that client, or undefined. */
export function findOpenStaffSession(db: Db, tokenHash: string, now: Date): Promise<StaffSessionClient | undefined> {
  return db
    .selectFrom('staff_sessions')
    .innerJoin('api_clients', 'api_clients.id', 'staff_sessions.client_id')
    .select(['staff_sessions.client_id', 'api_clients.name', 'api_clients.role', 'api_clients.butler_id', 'staff_sessions.expires_at'])
    .where('staff_sessions.token_hash', '=', tokenHash)
    .where('staff_sessions.expires_at', '>', now)
    .where('api_clients.revoked_at', 'is', null)
    .executeTakeFirst();
}

/** Closes a session. */
export async function deleteStaffSession(db: Db, tokenHash: string): Promise<void> {
  await db.deleteFrom('staff_sessions').where('token_hash', '=', tokenHash).execute();
}
