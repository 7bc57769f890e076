import { sql, type Kysely } from 'kysely';

// Frozen in time: never edit a migration that has shipped; add a new one.
// What the HTTP API adds: the patient directory (identity encrypted at rest, found again by a
// keyed hash), consents, readings and questionnaire responses, inquiries with their response
// target, API clients (keys stored hashed) and the replies kept for Idempotency-Key.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('patients')
    .addColumn('patient_ref', 'text', (c) => c.primaryKey())
    .addColumn('tenant', 'text', (c) => c.notNull().defaultTo('default'))
    // HMAC-SHA256 of the normalised identifier, prefixed with the lookup key's id.
    .addColumn('identifier_hash', 'text', (c) => c.notNull())
    // AES-256-GCM: iv ‖ ciphertext ‖ tag of the identity JSON, bound to patient_ref.
    .addColumn('identity_ciphertext', 'bytea', (c) => c.notNull())
    .addColumn('identity_key_id', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addUniqueConstraint('patients_identifier_unique', ['tenant', 'identifier_hash'])
    .execute();

  await db.schema
    .createTable('consents')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('patient_ref', 'text', (c) => c.notNull().references('patients.patient_ref'))
    .addColumn('enrollment_id', 'text', (c) => c.references('enrollments.id').onDelete('cascade'))
    .addColumn('scope', 'jsonb', (c) => c.notNull())
    .addColumn('given_at', 'timestamptz', (c) => c.notNull())
    .addColumn('recorded_by', 'text', (c) => c.notNull())
    .addColumn('method', 'text')
    .addColumn('document_ref', 'text')
    .addColumn('recorded_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('withdrawn_at', 'timestamptz')
    .execute();
  await db.schema.createIndex('consents_patient_idx').on('consents').columns(['patient_ref', 'given_at']).execute();

  await db.schema
    .createTable('readings')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('enrollment_id', 'text', (c) => c.notNull().references('enrollments.id'))
    .addColumn('reading_id', 'text', (c) => c.notNull())
    .addColumn('metric', 'text', (c) => c.notNull())
    .addColumn('at', 'timestamptz', (c) => c.notNull())
    .addColumn('measurements', 'jsonb', (c) => c.notNull())
    .addColumn('submitted_by', 'text', (c) => c.notNull())
    .addColumn('recorded_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('readings_unique', ['enrollment_id', 'reading_id'])
    .execute();

  await db.schema
    .createTable('questionnaire_responses')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('enrollment_id', 'text', (c) => c.notNull().references('enrollments.id'))
    .addColumn('occurrence_key', 'text', (c) => c.notNull())
    .addColumn('questionnaire_id', 'text', (c) => c.notNull())
    .addColumn('items', 'jsonb', (c) => c.notNull())
    .addColumn('score', 'double precision', (c) => c.notNull())
    .addColumn('submitted_by', 'text', (c) => c.notNull())
    .addColumn('submitted_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addUniqueConstraint('questionnaire_responses_unique', ['enrollment_id', 'occurrence_key'])
    .execute();

  await db.schema
    .createTable('inquiries')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('enrollment_id', 'text', (c) => c.notNull().references('enrollments.id'))
    .addColumn('task_id', 'text', (c) => c.notNull().references('tasks.id'))
    .addColumn('question', 'text', (c) => c.notNull())
    .addColumn('channel', 'text')
    .addColumn('urgent', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('asked_at', 'timestamptz', (c) => c.notNull())
    .addColumn('due_at', 'timestamptz', (c) => c.notNull())
    .addColumn('escalate_at', 'timestamptz', (c) => c.notNull())
    .addColumn('answered_at', 'timestamptz')
    .addColumn('answered_by', 'text')
    .addColumn('workflow_id', 'text', (c) => c.notNull())
    .addColumn('created_by', 'text', (c) => c.notNull())
    .execute();
  await db.schema.createIndex('inquiries_asked_idx').on('inquiries').columns(['asked_at']).execute();

  await db.schema
    .createTable('api_clients')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('name', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('butler_id', 'text')
    // sha256 of the whole key: keys are 256-bit random, so a fast hash is enough.
    .addColumn('key_hash', 'text', (c) => c.notNull().unique())
    .addColumn('key_prefix', 'text', (c) => c.notNull())
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('created_by', 'text', (c) => c.notNull())
    .addColumn('revoked_at', 'timestamptz')
    .execute();

  await db.schema
    .createTable('idempotency_keys')
    .addColumn('client_id', 'text', (c) => c.notNull())
    .addColumn('key', 'text', (c) => c.notNull())
    .addColumn('request_hash', 'text', (c) => c.notNull())
    .addColumn('status_code', 'integer')
    .addColumn('response', 'jsonb')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addPrimaryKeyConstraint('idempotency_keys_pk', ['client_id', 'key'])
    .execute();

  await db.schema.createIndex('enrollments_butler_idx').on('enrollments').columns(['butler_id', 'status']).execute();
  await db.schema.createIndex('enrollments_pathway_idx').on('enrollments').columns(['pathway_id', 'status']).execute();
  await db.schema.createIndex('tasks_enrollment_idx').on('tasks').columns(['enrollment_id']).execute();
  await db.schema.createIndex('journey_events_type_idx').on('journey_events').columns(['type', 'at']).execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const index of ['journey_events_type_idx', 'tasks_enrollment_idx', 'enrollments_pathway_idx', 'enrollments_butler_idx']) {
    await db.schema.dropIndex(index).execute();
  }
  for (const table of ['idempotency_keys', 'api_clients', 'inquiries', 'questionnaire_responses', 'readings', 'consents', 'patients']) {
    await db.schema.dropTable(table).execute();
  }
}
