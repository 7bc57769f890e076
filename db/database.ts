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
  pathway_publications: PathwayPublicationsTable;
  pathway_contents: PathwayContentsTable;
  patients: PatientsTable;
  consents: ConsentsTable;
  readings: ReadingsTable;
  questionnaire_responses: QuestionnaireResponsesTable;
  inquiries: InquiriesTable;
  inbound_messages: InboundMessagesTable;
  patient_contacts: PatientContactsTable;
  api_clients: ApiClientsTable;
  codec_sessions: CodecSessionsTable;
  staff_sessions: StaffSessionsTable;
  enrollment_anchors: EnrollmentAnchorsTable;
  idempotency_keys: IdempotencyKeysTable;
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

/** A pathway version a coordinator published to the running platform (POST /v1/pathways). */
export interface PathwayPublicationsTable {
  id: string;
  pathway_id: string;
  version: string;
  hash: string;
  /** The API client who published it. */
  published_by: string;
  published_at: CreatedAt;
}

/** A compiled pathway by its content hash (what a journey history's pathway reference points to). */
export interface PathwayContentsTable {
  hash: string;
  pathway_id: string;
  version: string;
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
  /** The task is a phone call to make (a step or escalation on the `phone` channel). */
  call: ColumnType<boolean, boolean | undefined, boolean>;
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
  /** While a delivery attempt runs: until when its claim holds (another attempt waits or retries). */
  claimed_until: ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;
  /** What the provider's receipt said became of a sent message: delivered to the phone, or not. */
  delivery: ColumnType<DeliveryStatus | null, never, DeliveryStatus | null>;
  /** The provider's receipt code (DELIVRD, a carrier's error code): a short token, never text. */
  delivery_code: ColumnType<string | null, never, string | null>;
  delivered_at: ColumnType<Date | null, never, Date | string | null>;
  /** A failed message of a preference order: the channel that took over (no person was asked to deliver it). */
  passed_to: ColumnType<string | null, never, string | null>;
}

export type DeliveryStatus = 'delivered' | 'undelivered';

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

type Timestamp = ColumnType<Date, Date | string, Date | string>;
type NullableTimestamp = ColumnType<Date | null, Date | string | null | undefined, Date | string | null>;

/** The patient directory: identity encrypted at rest; everything else uses `patient_ref`. */
export interface PatientsTable {
  patient_ref: string;
  tenant: ColumnType<string, string | undefined, string>;
  /** `hmac-sha256:<keyId>:<hex>` of the normalised identifier: finds a patient without decrypting. */
  identifier_hash: string;
  /** AES-256-GCM `iv ‖ ciphertext ‖ tag` of the identity JSON, with patient_ref as associated data. */
  identity_ciphertext: Buffer;
  identity_key_id: string;
  created_at: CreatedAt;
  created_by: string;
  /** When the contact points were last written to patient_contacts (null: not yet, a record from before the index). */
  contacts_indexed_at: NullableTimestamp;
}

/** A patient's contact point by keyed hash (`hmac-sha256:<keyId>:<hex>`): finds the patient an uplink came from. */
export interface PatientContactsTable {
  patient_ref: string;
  kind: 'mobile' | 'wechat-openid';
  hash: string;
}

/** Consent recorded before an enrolment: what the patient agreed to, when, and who recorded it. */
export interface ConsentsTable {
  id: string;
  patient_ref: string;
  enrollment_id: string | null;
  scope: Json<string[]>;
  given_at: Timestamp;
  recorded_by: string;
  method: string | null;
  document_ref: string | null;
  recorded_at: CreatedAt;
  withdrawn_at: NullableTimestamp;
}

/** A home reading accepted by the journey (blood pressure, glucose, …). */
export interface ReadingsTable {
  id: Generated<string>;
  enrollment_id: string;
  /** The caller's id of the reading: a resent reading is recognised. */
  reading_id: string;
  metric: string;
  at: Timestamp;
  measurements: Json<Record<string, number | boolean>>;
  submitted_by: string;
  recorded_at: CreatedAt;
}

/** A patient's answers to one issued questionnaire, with the score the journey computed. */
export interface QuestionnaireResponsesTable {
  id: Generated<string>;
  enrollment_id: string;
  occurrence_key: string;
  questionnaire_id: string;
  items: Json<Record<string, number>>;
  score: number;
  submitted_by: string;
  submitted_at: CreatedAt;
}

/** A patient's question, answered through its response task within the service-level target. */
export interface InquiriesTable {
  id: string;
  enrollment_id: string;
  task_id: string;
  question: string;
  channel: string | null;
  urgent: ColumnType<boolean, boolean | undefined, boolean>;
  asked_at: Timestamp;
  due_at: Timestamp;
  escalate_at: Timestamp;
  answered_at: NullableTimestamp;
  answered_by: string | null;
  workflow_id: string;
  created_by: string;
  /** What the butler answered: sent to the patient (`reply_via` message) or said on the phone or in person. */
  reply: string | null;
  reply_via: 'message' | 'phone' | 'in-person' | null;
}

/** A patient's message that came in through a channel (a WeChat message, an SMS reply), kept once per provider id. */
export interface InboundMessagesTable {
  id: string;
  provider: string;
  provider_message_id: string;
  channel: string;
  patient_ref: string | null;
  inquiry_id: string | null;
  /** attached to the open inquiry, opened a new one, or kept without text: unmatched, ambiguous, not-enrolled. */
  outcome: 'attached' | 'opened' | 'unmatched' | 'ambiguous' | 'not-enrolled';
  text: string | null;
  received_at: Timestamp;
  recorded_at: CreatedAt;
}

/** A caller of the API: one bearer key (stored as its sha256) with one role. */
export interface ApiClientsTable {
  id: string;
  name: string;
  role: string;
  /** For role butler: the butler id their patients' enrolments and tasks carry. */
  butler_id: string | null;
  key_hash: string;
  /** The first characters of the key, to recognise it in listings. */
  key_prefix: string;
  created_at: CreatedAt;
  created_by: string;
  revoked_at: NullableTimestamp;
}

/** The reply to a request sent with an Idempotency-Key, replayed when the same request comes again. */
export interface IdempotencyKeysTable {
  client_id: string;
  key: string;
  request_hash: string;
  /** null while the first request is still being handled. */
  status_code: number | null;
  response: Json;
  created_at: CreatedAt;
}

/** An operator's codec sign-in (Temporal Web UI): the hash of the cookie's token, never the token. */
export interface CodecSessionsTable {
  token_hash: string;
  client_id: string;
  roles: Json<string[]>;
  expires_at: ColumnType<Date, Date | string, Date | string>;
  created_at: CreatedAt;
}

/** A staff browser's sign-in session (the console): an API key exchanged for a cookie; only the token's hash is kept. */
export interface StaffSessionsTable {
  token_hash: string;
  client_id: string;
  expires_at: ColumnType<Date, Date | string, Date | string>;
  created_at: CreatedAt;
}

/**
 * An enrolment's anchor as the API was told it (given at enrolment, corrected later) or an event
 * that set one (its time), or either as read back from the journey (`journey`: the journey is
 * the truth; rows are a copy for lists that cannot ask every journey).
 */
export interface EnrollmentAnchorsTable {
  enrollment_id: string;
  kind: 'anchor' | 'event';
  name: string;
  value: string;
  source: 'given' | 'corrected' | 'event' | 'journey';
  updated_at: ColumnType<Date, Date | string | undefined, Date | string>;
}
