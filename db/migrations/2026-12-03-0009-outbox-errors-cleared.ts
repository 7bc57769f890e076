import { sql, type Kysely } from 'kysely';

// Frozen in time: never edit a migration that has shipped; add a new one.
// Before 3 December 2026 an outbox row's last_error kept the first 200 characters of a gateway's
// error body, which may quote the rendered message (and the patient's name). Such text cannot be
// classified after the fact: it is replaced by a note; new failures are stored classified only.

export async function up(db: Kysely<any>): Promise<void> {
  await sql`update outbox_messages set last_error = 'cleared: an error stored before failures were classified' where last_error is not null`.execute(db);
}

export async function down(): Promise<void> {
  // The cleared text is gone on purpose.
}
