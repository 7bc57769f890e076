import type { ColumnType, Generated } from 'kysely';

/**
 * The application database, one interface for every table (kysely's typed schema).
 * Migrations under ./migrations are the source of truth; this mirrors their sum.
 */
export interface Database {
  audit_log: AuditLogTable;
  enrollments: EnrollmentsTable;
  tasks: TasksTable;
  outbox_messages: OutboxMessagesTable;
  journey_events: JourneyEventsTable;
  pathway_versions: PathwayVersionsTable;
}

/** A compiled pathway version, kept for as long as journeys may be pinned to it. */
export interface PathwayVersionsTable {
  pathway_id: string;
  version: string;
  hash: string;
  program: string;
  title: string;
  compiled: Json;
  first_seen_at: CreatedAt;
}

type CreatedAt = ColumnType<Date, Date | string | undefined, never>;
type Json<T = unknown> = ColumnType<T, string | null | undefined, string | null>;

/** One patient enrolled in one program: the row behind one journey workflow. */
export interface EnrollmentsTable {
  id: string;
  /** Pseudonymous reference; the patient's identity lives only in the (encrypted) patients table. */
  patient_ref: string;
  tenant: ColumnType<string, string | undefined, string>;
  program: string;
  pathway_id: string;
  pathway_version: string;
  pathway_hash: string;
  workflow_id: string;
  butler_id: string | null;
  status: ColumnType<EnrollmentStatus, EnrollmentStatus | undefined, EnrollmentStatus>;
  created_at: CreatedAt;
  ended_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
}

export type EnrollmentStatus = 'active' | 'completed' | 'exited' | 'failed';

/** A human task in a worklist (butler, lead, nurse, doctor), created by a journey step. */
export interface TasksTable {
  id: string;
  enrollment_id: string;
  /** Planner occurrence key, unique per enrolment: creating the same task twice is a no-op. */
  occurrence_key: string;
  step_id: string;
  code: string | null;
  kind: string;
  title: string;
  role: string;
  assignee: string | null;
  status: ColumnType<TaskStatus, TaskStatus | undefined, TaskStatus>;
  urgent: ColumnType<boolean, boolean | undefined, boolean>;
  escalation_level: ColumnType<number, number | undefined, number>;
  due_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  created_at: CreatedAt;
  completed_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  completed_by: string | null;
  result: Json;
}

export type TaskStatus = 'open' | 'done' | 'cancelled';

/** An outgoing message. The idempotency key (journey, step occurrence, channel) makes a retry never send twice. */
export interface OutboxMessagesTable {
  id: Generated<string>;
  idempotency_key: string;
  enrollment_id: string;
  step_id: string;
  channel: string;
  audience: string;
  template_id: string;
  variables: Json<Record<string, unknown>>;
  urgent: ColumnType<boolean, boolean | undefined, boolean>;
  status: ColumnType<OutboxStatus, OutboxStatus | undefined, OutboxStatus>;
  attempts: ColumnType<number, number | undefined, number>;
  last_error: string | null;
  provider_message_id: string | null;
  created_at: CreatedAt;
  sent_at: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
}

export type OutboxStatus = 'pending' | 'sent' | 'failed';

/** The journey's timeline: what happened, when, once per event key. */
export interface JourneyEventsTable {
  id: Generated<string>;
  enrollment_id: string;
  event_key: string;
  type: string;
  step_id: string | null;
  at: ColumnType<Date, Date | string, never>;
  recorded_at: CreatedAt;
  details: Json;
}

/** Who did what to which record, when and from where: every write and every read of patient data. */
export interface AuditLogTable {
  id: Generated<string>;
  at: ColumnType<Date, Date | string | undefined, never>;
  actor: string;
  actor_role: string;
  action: string;
  resource_type: string;
  resource_id: string | null;
  source_ip: string | null;
  details: ColumnType<unknown, string | null | undefined, never>;
}
