// The API's answers as the console reads them (the OpenAPI document at /docs is the reference).

export interface Session {
  clientId: string;
  name: string;
  role: string;
  butlerId: string | null;
  permissions: string[];
  until: string | null;
  timeZone: TimeZone;
}

/** A fixed-offset time zone, as the API gives it. */
export interface TimeZone {
  name: string;
  offsetMinutes: number;
}

export interface PatientAge {
  style: 'gestational-age' | 'cycle-day' | 'days-since' | 'postpartum';
  label: string;
}

export interface Task {
  id: string;
  enrollmentId: string;
  program: string;
  occurrenceKey: string;
  stepId: string;
  code: string | null;
  kind: string;
  title: string;
  role: string;
  assignee: string | null;
  status: 'open' | 'done' | 'cancelled';
  urgent: boolean;
  call: boolean;
  escalationLevel: number;
  dueAt: string | null;
  createdAt: string;
  completedAt: string | null;
  completedBy: string | null;
  result: Record<string, unknown> | null;
  patient?: { name: string | null; age: PatientAge | null };
}

export interface FormField {
  name: string;
  type: 'datetime' | 'date' | 'bool' | 'int' | 'double' | 'string' | 'choice';
  required: boolean;
  options?: string[];
  maxLength?: number;
}

export interface TaskDetail extends Task {
  form: FormField[];
  /** The zone of the task's program: its date-time fields are entered in it. */
  timeZone?: TimeZone;
  inquiry?: { id: string; question: string; channel: string | null; askedAt: string; urgent: boolean };
}

export interface Page<T> {
  items: T[];
  limit: number;
  offset: number;
}

export interface TimelineEntry {
  at: string;
  plannedAt?: string;
  key: string;
  step: string;
  kind: string;
  code?: string;
  title?: string;
  stage?: string;
  role?: string;
  channels?: string[];
  age?: string;
  status: 'planned' | 'skipped' | 'recorded' | 'cancelled';
  reason?: string;
}

export interface Timeline {
  happened: { key: string; type: string; step: string | null; at: string; reason?: string }[];
  ahead: { status: string; entries: TimelineEntry[]; estimated: string[] } | null;
  aheadUnavailable?: string;
}

export interface OutboxMessage {
  key: string;
  step: string;
  channel: string;
  templateId: string;
  urgent: boolean;
  status: 'pending' | 'sent' | 'handed-over' | 'passed-on';
  passedTo: string | null;
  createdAt: string;
  sentAt: string | null;
  delivery: 'delivered' | 'undelivered' | null;
  text?: string | null;
}

export interface EnrollmentView {
  id: string;
  program: string;
  pathwayVersion: string;
  butlerId: string | null;
  status: string;
  createdAt: string;
  patient?: { name: string; phone?: string };
  consents: { scope: string[]; givenAt: string }[];
  journey: { stage: string | null; anchors: Record<string, string>; status: string } | null;
  journeyUnavailable?: string;
}

export interface PathwaySummary {
  id: string;
  version: string;
  hash: string;
  title: string;
  program: string;
}
