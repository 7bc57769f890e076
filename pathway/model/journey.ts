/**
 * The planner's input (a journey's small, serialisable state) and output (a plan).
 * Types only — safe to import from Temporal workflow code.
 *
 * Times are ISO 8601 strings. A date anchor is `YYYY-MM-DD` (a local calendar day); instants carry
 * an offset (`2027-03-01T09:00:00+08:00`) or `Z`; an instant without offset is read in the
 * pathway's time zone.
 */
import type { StepKind, Urgency, FieldType } from './compiled.ts';

export type DataValue = string | number | boolean | null;

/** What happened to one occurrence (key `stepId#n`) or follow-up (key `stepId#n/remind-1`). */
export interface OccurrenceRecord {
  issuedAt?: string;
  completedAt?: string;
  /** Data a task produced, or `{ items: {q1: 2, …} }` answers of a questionnaire, or `{ approved }`. */
  data?: Record<string, DataValue | Record<string, number>>;
  skipped?: SkipReason;
  cancelledAt?: string;
}

/**
 * Closed occurrences nothing will read again but their keys (no step follows them, no rule
 * scores them, no entitlement counts them), in the short form a journey carries into its next
 * runs (pathway/planner/settled.ts): per step, key suffixes with numbers as ranges (`"1-24"`).
 */
export interface SettledOccurrences {
  steps: Record<string, string[]>;
  /** How many of them were completed, and skipped (for the journey's view). */
  completed: number;
  skipped: number;
}

export interface JourneyEvent {
  /** Stable id; defaults to the event's 1-based position in the list. */
  id?: string;
  name: string;
  at: string;
}

export interface Reading {
  id: string;
  metric: string;
  at: string;
  values: Record<string, number | boolean>;
}

export interface Consumption {
  entitlement: string;
  at: string;
  ref?: string;
}

export interface JourneyState {
  enrolledAt: string;
  /** Values given at enrolment or corrected later; they win over derived and event-set values. */
  anchors: Record<string, string>;
  variables?: Record<string, boolean | number | string>;
  events?: JourneyEvent[];
  occurrences?: Record<string, OccurrenceRecord>;
  /** Home readings not yet evaluated; the workflow may drop a reading once its plan is recorded. */
  readings?: Reading[];
  /** Entitlement uses outside steps (e.g. a patient's request for a green-channel visit). */
  consumptions?: Consumption[];
  /** Closed occurrences in short form, instead of their records (set when a run continues as new). */
  settled?: SettledOccurrences;
}

/**
 * `held-up`: the window closed while the journey was held up (the platform ran it late, not the
 * patient): the skip carries the action it would have been, which the journey hands to a person.
 */
export type SkipReason = 'late-enrolment' | 'window-passed' | 'held-up' | 'condition-false' | 'entitlement-exhausted' | 'paused' | 'stage-ended';

/** Why an open item is cancelled when the journey goes on (an event ended the stage it belongs to). */
export interface CancelReason {
  reason: 'stage-ended';
  stage: string;
  event: string;
}

export interface EscalationTarget {
  after: number;
  role: string;
  channels: string[];
  urgency: Urgency;
}

/** Everything an activity needs to carry out one action. */
export interface Action {
  /** Idempotency key: `stepId#n`, `stepId#<source>` or a follow-up `…/remind-1`, `…/escalate-1`. */
  key: string;
  /** `issue` runs the step; `remind` re-sends an unanswered questionnaire; `escalate` hands an overdue item to the next role. */
  type: 'issue' | 'remind' | 'escalate';
  step: string;
  kind: StepKind;
  code?: string;
  title?: string;
  stage?: string;
  urgency: Urgency;
  /** When the pathway planned it. */
  plannedAt: string;
  /** When it may go out (after quiet hours and pauses); never later than the plan call's `now`. */
  at: string;
  channels?: string[];
  /** `channels` is a preference order: the next channel when one has not delivered within this many minutes. */
  fallbackAfter?: number;
  audience?: string;
  role?: string;
  template?: string;
  questionnaire?: string;
  severity?: string;
  metric?: string;
  /** Minutes the assignee has to complete it. */
  slaMinutes?: number;
  escalation?: EscalationTarget[];
  produces?: Record<string, FieldType>;
  consumes?: string;
  /** The occurrence, reading (`r:id`) or event (`e:id`) that caused this one. */
  source?: string;
}

export interface Skip {
  key: string;
  step: string;
  plannedAt: string;
  reason: SkipReason;
  /** For `held-up`: the action that could not go in its window. */
  missed?: Action;
}

export type JourneyStatus = 'active' | 'paused' | 'ended' | 'completed';

export interface EntitlementBalance {
  /** Left in the tightest period (0 when a counter is past its basis). */
  remaining: number;
  used: number;
  /** Present (false) for a counter: uses beyond the basis are allowed. */
  enforced?: false;
}

export interface Plan {
  status: JourneyStatus;
  stage?: string;
  due: Action[];
  skipped: Skip[];
  /** Open items (issued, not completed) to close because the journey ended, or their stage did. */
  cancel: string[];
  /** Why, for the items of `cancel` a stage-ending event closed (absent when there are none). */
  cancelReasons?: Record<string, CancelReason>;
  /** Next moment the plan changes by itself; null when only an update can change it. */
  nextWakeAt: string | null;
  entitlements: Record<string, EntitlementBalance>;
  /** Expression failures at evaluation time (treated as false); never patient data. */
  warnings: string[];
  /**
   * Set when the journey was held up past a window (planned with `dueSince`): an action missed it
   * (skipped `held-up`), or a person's task is issued after it closed.
   */
  heldUp?: true;
}
