import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../database.ts';

type Db = Kysely<Database> | Transaction<Database>;

/** Stores a session by its token's hash; removes sessions that have expired. */
export async function insertCodecSession(db: Db, session: { tokenHash: string; clientId: string; roles: string[]; expiresAt: Date }): Promise<void> {
  await db.deleteFrom('codec_sessions').where('expires_at', '<=', new Date()).execute();
  await db
    .insertInto('codec_sessions')
    .values({ token_hash: session.tokenHash, client_id: session.clientId, roles: JSON.stringify(session.roles), expires_at: session.expiresAt })
    .execute();
}

/** The open session with this token hash whose API client is still active, or undefined. */
export function findOpenCodecSession(db: Db, tokenHash: string, now: Date): Promise<{ client_id: string; roles: string[] } | undefined> {
  return db
    .selectFrom('codec_sessions')
    .innerJoin('api_clients', 'api_clients.id', 'codec_sessions.client_id')
    .select(['codec_sessions.client_id', 'codec_sessions.roles'])
    .where('codec_sessions.token_hash', '=', tokenHash)
    .where('codec_sessions.expires_at', '>', now)
    .where('api_clients.revoked_at', 'is', null)
    .executeTakeFirst() as Promise<{ client_id: string; roles: string[] } | undefined>;
}

/** Closes a session. */
export async function deleteCodecSession(db: Db, tokenHash: string): Promise<void> {
  await db.deleteFrom('codec_sessions').where('token_hash', '=', tokenHash).execute();
}
