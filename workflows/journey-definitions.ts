// The journey workflow's contract: its input and the updates and queries it answers.
// Client code (API, tests) imports these; they hold no workflow logic.
import { defineQuery, defineUpdate } from '@temporalio/workflow';
import type { ReplayBudget } from './replay-budget.ts';
import type { PendingFallback } from './fallbacks.ts';
import type { PacingState } from './pacing.ts';
import type { CompiledPathway, DataValue, JourneyState, JourneyStatus, Projection } from '../pathway/planner/index.ts';

/** The journey's input, and the small state carried across continue-as-new. */
export interface JourneyInput {
  enrollmentId: string;
  /** Pseudonymous; the patient's identity never enters the workflow. */
  patientRef: string;
  tenant: string;
  butlerId: string | null;
  /** The compiled pathway pinned at enrolment: a running journey keeps its version. */
  pathway: CompiledPathway;
  journey: JourneyState;
  /** Open human tasks: occurrence key → task id in the worklist. */
  openTasks?: Record<string, string>;
  /** How many runs came before this one (continue-as-new). */
  run?: number;
  /**
   * Keep the journey's search attributes current (default true). Off only on servers without
   * custom search attributes, such as the Java time-skipping test server.
   */
  searchAttributes?: boolean;
  /** History length at which a version 1 run continues as new (default 4,000). */
  historyLimit?: number;
  /**
   * When a run continues as new (events, bytes, planning rounds), pinned at enrolment; missing
   * parts take the defaults of workflows/replay-budget.ts.
   */
  replayBudget?: Partial<ReplayBudget>;
  /** The wake-up the previous run last planned (ISO 8601): when this run's first round is due. */
  dueAt?: string | null;
  /** Messages of preference orders still waiting on their channel's outcome (workflows/fallbacks.ts). */
  fallbacks?: PendingFallback[];
  /** Routine messages' turns and those still waiting for theirs (workflows/pacing.ts); only for a pathway with pacing. */
  pacing?: PacingState;
}

export interface JourneyOutcome {
  status: JourneyStatus;
  endedBy?: string;
  runs: number;
}

export interface CompleteStepRequest {
  /** Occurrence key of the issued step, e.g. `book_nt#1`. */
  key: string;
  /** Data the step produces (declared in the pathway's `produces`). */
  data?: Record<string, DataValue>;
  /** Who completed it (staff id). */
  by: string;
}

export interface SetAnchorRequest {
  name: string;
  /** `YYYY-MM-DD` for a date anchor, an ISO 8601 instant for a date-time anchor. */
  value: string;
  by: string;
}

export interface RecordEventRequest {
  /** Event name declared in the pathway (delivered, pregnancy_loss, hospitalised, …). */
  name: string;
  /** When it happened (ISO 8601); defaults to now. */
  at?: string;
  /** Caller's id for the event, so a resent request is recognised as a duplicate. */
  id: string;
  by: string;
}

export interface SubmitAnswersRequest {
  key: string;
  /** Item id → chosen option's score. */
  items: Record<string, number>;
  by: string;
}

export interface SubmitReadingRequest {
  id: string;
  metric: string;
  at: string;
  values: Record<string, number | boolean>;
  by: string;
}

export interface OpenItem {
  key: string;
  step: string;
  kind: string;
  issuedAt: string;
  taskId?: string;
}

export interface JourneyView {
  enrollmentId: string;
  pathway: { id: string; version: string; hash: string };
  status: JourneyStatus;
  stage: string | null;
  nextWakeAt: string | null;
  anchors: Record<string, string>;
  events: { id?: string; name: string; at: string }[];
  open: OpenItem[];
  completed: number;
  skipped: number;
  entitlements: Record<string, { remaining: number; used: number; enforced?: false }>;
  run: number;
}

/** Completes an issued task, approval or milestone with the data it produced. */
export const completeStepUpdate = defineUpdate<{ key: string; completedAt: string }, [CompleteStepRequest]>('completeStep');
/** Sets or corrects an anchor (e.g. EDD re-dated by ultrasound); future unfinished steps move. */
export const setAnchorUpdate = defineUpdate<{ name: string; value: string }, [SetAnchorRequest]>('setAnchor');
/** Records a clinical or service event: delivered, pregnancy loss, hospitalised, resumed, withdrawn, emergency. */
export const recordEventUpdate = defineUpdate<{ name: string; at: string }, [RecordEventRequest]>('recordEvent');
/** Submits a patient's answers to an issued questionnaire. */
export const submitAnswersUpdate = defineUpdate<{ key: string; score: number }, [SubmitAnswersRequest]>('submitAnswers');
/** Submits a home reading (blood pressure, glucose, weight, fetal movements…). */
export const submitReadingUpdate = defineUpdate<{ id: string }, [SubmitReadingRequest]>('submitReading');

export interface SetVariableRequest {
  /** A variable the pathway declares (a report value, a risk flag such as gdm). */
  name: string;
  value: boolean | number | string;
  by: string;
}

/** Sets a variable known only after enrolment (a diagnosis recorded by the clinic, a report value). */
export const setVariableUpdate = defineUpdate<{ name: string; value: boolean | number | string }, [SetVariableRequest]>('setVariable');

export interface UpgradePathwayRequest {
  /** The new compiled version of the same pathway. */
  pathway: CompiledPathway;
  by: string;
}

/**
 * Moves a running journey to a new version of its pathway. What happened stays (occurrence keys
 * are step ids, so steps kept by the new version keep their history); the journey continues as
 * new on the new version at once.
 */
export const upgradePathwayUpdate = defineUpdate<{ from: string; to: string }, [UpgradePathwayRequest]>('upgradePathway');

export interface UseEntitlementRequest {
  /** An entitlement the pathway declares (consultation, green_channel, fasting_breakfast). */
  entitlement: string;
  /** The caller's id for this use (the consultation or visit), so a resent request counts once. */
  ref: string;
  by: string;
}

export interface EntitlementUse {
  entitlement: string;
  ref: string;
  at: string;
  /** True when this ref had been recorded before: nothing was counted again. */
  duplicate: boolean;
  remaining: number;
  used: number;
  enforced?: false;
}

/**
 * Records one use of an entitlement (a consultation given, a green-channel visit arranged). A
 * capped entitlement with nothing left is refused; a counter (`enforced: false`) is not.
 */
export const useEntitlementUpdate = defineUpdate<EntitlementUse, [UseEntitlementRequest]>('useEntitlement');

/** Where the journey stands: stage, open items, next wake-up, what happened. */
export const journeyViewQuery = defineQuery<JourneyView>('journeyView');
/** The projected timeline from now on, as `carepath preview` would show it for this journey. */
export const timelineQuery = defineQuery<Projection>('timeline');
