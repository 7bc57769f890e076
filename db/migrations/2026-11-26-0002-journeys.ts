import { sql, type Kysely } from 'kysely';

// Frozen in time: never edit a migration that has shipped; add a new one.
// Journeys, their human tasks, their outgoing messages and their timeline. Patient identity is
// not here: rows carry the pseudonymous patient_ref only.

export async function up(db: Kysely<any>): Promise<void> {
  await db.schema
    .createTable('enrollments')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('patient_ref', 'text', (c) => c.notNull())
    .addColumn('tenant', 'text', (c) => c.notNull().defaultTo('default'))
    .addColumn('program', 'text', (c) => c.notNull())
    .addColumn('pathway_id', 'text', (c) => c.notNull())
    .addColumn('pathway_version', 'text', (c) => c.notNull())
    .addColumn('pathway_hash', 'text', (c) => c.notNull())
    .addColumn('workflow_id', 'text', (c) => c.notNull().unique())
    .addColumn('butler_id', 'text')
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('active'))
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('ended_at', 'timestamptz')
    .execute();
  // One running enrolment per patient and pathway; a finished one does not block a new one.
  await sql`create unique index enrollments_one_active_idx on enrollments (tenant, patient_ref, pathway_id) where status = 'active'`.execute(db);

  await db.schema
    .createTable('tasks')
    .addColumn('id', 'text', (c) => c.primaryKey())
    .addColumn('enrollment_id', 'text', (c) => c.notNull().references('enrollments.id'))
    .addColumn('occurrence_key', 'text', (c) => c.notNull())
    .addColumn('step_id', 'text', (c) => c.notNull())
    .addColumn('code', 'text')
    .addColumn('kind', 'text', (c) => c.notNull())
    .addColumn('title', 'text', (c) => c.notNull())
    .addColumn('role', 'text', (c) => c.notNull())
    .addColumn('assignee', 'text')
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('open'))
    .addColumn('urgent', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('escalation_level', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('due_at', 'timestamptz')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('completed_at', 'timestamptz')
    .addColumn('completed_by', 'text')
    .addColumn('result', 'jsonb')
    .addUniqueConstraint('tasks_occurrence_unique', ['enrollment_id', 'occurrence_key'])
    .execute();
  await db.schema.createIndex('tasks_worklist_idx').on('tasks').columns(['assignee', 'status', 'due_at']).execute();
  await db.schema.createIndex('tasks_role_idx').on('tasks').columns(['role', 'status', 'due_at']).execute();

  await db.schema
    .createTable('outbox_messages')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('idempotency_key', 'text', (c) => c.notNull().unique())
    .addColumn('enrollment_id', 'text', (c) => c.notNull().references('enrollments.id'))
    .addColumn('step_id', 'text', (c) => c.notNull())
    .addColumn('channel', 'text', (c) => c.notNull())
    .addColumn('audience', 'text', (c) => c.notNull())
    .addColumn('template_id', 'text', (c) => c.notNull())
    .addColumn('variables', 'jsonb', (c) => c.notNull().defaultTo(sql`'{}'::jsonb`))
    .addColumn('urgent', 'boolean', (c) => c.notNull().defaultTo(false))
    .addColumn('status', 'text', (c) => c.notNull().defaultTo('pending'))
    .addColumn('attempts', 'integer', (c) => c.notNull().defaultTo(0))
    .addColumn('last_error', 'text')
    .addColumn('provider_message_id', 'text')
    .addColumn('created_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('sent_at', 'timestamptz')
    .execute();
  await db.schema.createIndex('outbox_enrollment_idx').on('outbox_messages').columns(['enrollment_id', 'created_at']).execute();

  await db.schema
    .createTable('journey_events')
    .addColumn('id', 'bigserial', (c) => c.primaryKey())
    .addColumn('enrollment_id', 'text', (c) => c.notNull().references('enrollments.id'))
    .addColumn('event_key', 'text', (c) => c.notNull())
    .addColumn('type', 'text', (c) => c.notNull())
    .addColumn('step_id', 'text')
    .addColumn('at', 'timestamptz', (c) => c.notNull())
    .addColumn('recorded_at', 'timestamptz', (c) => c.notNull().defaultTo(sql`now()`))
    .addColumn('details', 'jsonb')
    .addUniqueConstraint('journey_events_key_unique', ['enrollment_id', 'event_key'])
    .execute();
}

export async function down(db: Kysely<any>): Promise<void> {
  for (const table of ['journey_events', 'outbox_messages', 'tasks', 'enrollments']) {
    await db.schema.dropTable(table).execute();
  }
}
