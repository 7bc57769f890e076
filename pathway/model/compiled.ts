import type { StepKind } from './step-kinds.ts';

export type { StepKind };

/**
 * The compiled pathway: plain JSON produced by the compiler and pinned into each journey
 * workflow's input. Types only — safe to import from Temporal workflow code.
 *
 * All durations are whole minutes; all clock times are minutes after local midnight.
 */

export const COMPILED_FORMAT = 1;

export type AnchorType = 'date' | 'datetime';
export type VariableType = 'bool' | 'int' | 'double' | 'string';
export type FieldType = 'datetime' | 'date' | 'bool' | 'int' | 'double' | 'string';
export type Urgency = 'routine' | 'urgent';

/**
 * A point in time written as `base ± offset`, e.g. `lmp + 13w6d`, `book_nt.appointment_at - 24h`.
 * `dateOnly` is true when the base is a calendar date and the offset is whole days: the result is
 * then a day, which takes a clock time (the step's `time`, else the pathway's `default_time`).
 */
export type TimeRef =
  | { base: 'anchor'; anchor: string; offset: number; dateOnly: boolean }
  | { base: 'done'; step: string; offset: number; dateOnly: false }
  | { base: 'data'; step: string; field: string; offset: number; dateOnly: boolean }
  | { base: 'trigger'; offset: number; dateOnly: false };

export interface CompiledAnchor {
  type: AnchorType;
  required: boolean;
  correctable: boolean;
  derive?: TimeRef;
  estimate?: TimeRef;
  /** Name of the event whose occurrence sets this anchor. */
  setBy?: string;
  /**
   * A fixed calendar day `YYYY-MM-DD` (an entry of the pathway's `calendar:`, e.g. a holiday).
   * It is the anchor's value in every journey; nothing given, corrected or derived overrides it.
   */
  fixed?: string;
  /** Minutes before and after the enrolment day within which a value is plausible (default: pathway/planner/plausibility.ts). */
  plausible?: { before: number; after: number };
  title?: string;
}

export interface CompiledVariable {
  type: VariableType;
  default?: boolean | number | string;
}

export interface CompiledEvent {
  setsAnchor?: string;
  endsJourney: boolean;
  /**
   * Stages the event closes (a delivery closes pregnancy): from then on nothing that belongs to
   * them is issued and their open items are cancelled (pathway/planner/stage-ends.ts).
   */
  endsStages?: string[];
  pauses: boolean;
  resumes: boolean;
  triggers: string[];
  title?: string;
}

export interface CompiledStage {
  id: string;
  from: TimeRef;
  until: TimeRef;
  title?: string;
}

export interface EntitlementLimit {
  quota: number;
  per: 'journey' | 'year' | 'month';
}

export interface CompiledEntitlement {
  id: string;
  limits: EntitlementLimit[];
  /**
   * `false`: the limits are a billing basis, not a cap (consultations "不限服务次数，按每月2次…收取
   * 费用"): uses beyond them are recorded, never refused. Absent: the limits are a hard cap.
   */
  enforced?: false;
  title?: string;
}

export interface CompiledTiming {
  at?: TimeRef;
  earliest?: TimeRef;
  latest?: TimeRef;
  /** Clock time for date-only references (minutes after local midnight). */
  time?: number;
  every?: number;
  until?: TimeRef;
  count?: number;
  stopOn: string[];
  /**
   * What a journey enrolled after this step's time does with it (default: due at once while its
   * window is open, else skipped `late-enrolment`): `skip` — skipped if planned before the
   * enrolment (closing steps never go in the enrolment minute); `until` — still due at enrolment
   * while this is not past; `compress` — a counted recurrence spreads all its occurrences over
   * what remains of it.
   */
  catchUp?: 'skip' | 'compress' | { until: TimeRef };
}

/** A CEL expression with the types of the variables it may read (for evaluation-time coercion). */
export interface CompiledExpression {
  source: string;
  vars: Record<string, FieldType | 'items'>;
}

export interface CompiledRule {
  if: CompiledExpression;
  triggers: string[];
}

export interface CompiledEscalationLevel {
  after: number;
  role: string;
  channels: string[];
  urgency: Urgency;
}

interface StepBase {
  id: string;
  kind: StepKind;
  title?: string;
  code?: string;
  stage?: string;
  urgency: Urgency;
  timing: CompiledTiming;
  if?: CompiledExpression;
  consumes?: string;
  /** How occurrences arise: from the schedule, one per occurrence of `source`, or per trigger. */
  origin: { type: 'schedule' } | { type: 'dependent'; source: string } | { type: 'trigger' };
}

export interface MessageStep extends StepBase {
  kind: 'message';
  template: string;
  channels: string[];
  /**
   * Set when `channels` is a preference order: a message goes on the first channel, and on the
   * next when it was not delivered within this many minutes (or failed); `phone`, last, is a call task.
   */
  fallbackAfter?: number;
  audience: string;
}

export interface TaskStep extends StepBase {
  kind: 'task';
  role: string;
  template?: string;
  sla?: number;
  escalate: CompiledEscalationLevel[];
  produces: Record<string, FieldType>;
  /**
   * The clinical window a booked time must fall in (NT 11+0–13+6). Outside it (or in the past)
   * the completion is refused (`reject`), or accepted and the listed steps are triggered (a
   * review task for the coordinator).
   */
  booking?: { field: string; from: TimeRef; until: TimeRef; outside: 'reject' | string[] };
}

export interface QuestionnaireStep extends StepBase {
  kind: 'questionnaire';
  questionnaire: string;
  channels: string[];
  /** As for a message step. */
  fallbackAfter?: number;
  remind?: { after: number; times: number };
  rules: CompiledRule[];
}

export interface ApprovalStep extends StepBase {
  kind: 'approval';
  role: string;
  template?: string;
  sla?: number;
  escalate: CompiledEscalationLevel[];
}

export interface EscalationStep extends StepBase {
  kind: 'escalation';
  severity: 'urgent' | 'same-day' | 'routine';
  role: string;
  channels: string[];
  template?: string;
  sla?: number;
  escalate: CompiledEscalationLevel[];
}

export interface MonitorStep extends StepBase {
  kind: 'monitor';
  metric: string;
  fields: Record<string, 'int' | 'double' | 'bool'>;
  /** Fields every reading must carry (a reading without them is refused). */
  required?: string[];
  /** Values of fields a reading may leave out: an unticked symptom is `false`. */
  defaults?: Record<string, number | boolean>;
  /**
   * Steps triggered when a reading leaves a rule undetermined (it reads a field the reading does
   * not carry, without a default). Absent in pathways written before it: such a rule is false.
   */
  incomplete?: string[];
  template?: string;
  channels: string[];
  /** As for a message step. */
  fallbackAfter?: number;
  rules: CompiledRule[];
}

export interface MilestoneStep extends StepBase {
  kind: 'milestone';
  role?: string;
}

export type CompiledStep = MessageStep | TaskStep | QuestionnaireStep | ApprovalStep | EscalationStep | MonitorStep | MilestoneStep;

/** Scoring data of a questionnaire (texts stay in the content files). */
export interface CompiledQuestionnaire {
  items: string[];
  bands: { min: number; max: number; label: string }[];
}

export interface CompiledPathway {
  format: typeof COMPILED_FORMAT;
  id: string;
  version: string;
  /** sha256 of the canonical JSON of every other field. */
  hash: string;
  title: string;
  program: string;
  locale: string;
  timezone: { name: string; offsetMinutes: number };
  quietHours: { start: number; end: number };
  /**
   * How often routine messages may reach the patient: at most `perDay` a local day, at least
   * `gapMinutes` apart; more wait for their turn (workflows/pacing.ts). Absent: no limit.
   */
  pacing?: { perDay?: number; gapMinutes?: number };
  defaultTime: number;
  /** How times are labelled for people; from `postpartumFrom` (the delivery) on, as days after it (`产后D+7`). */
  ageDisplay?: { style: 'gestational-age' | 'cycle-day' | 'days-since'; anchor: string; postpartumFrom?: string };
  anchors: Record<string, CompiledAnchor>;
  span: { start: TimeRef; end: TimeRef };
  variables: Record<string, CompiledVariable>;
  events: Record<string, CompiledEvent>;
  stages: CompiledStage[];
  entitlements: Record<string, CompiledEntitlement>;
  steps: CompiledStep[];
  questionnaires: Record<string, CompiledQuestionnaire>;
}
