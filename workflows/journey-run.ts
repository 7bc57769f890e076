// The state of one run of a journey and everything its update handlers do: each handler is one
// synchronous change of this state (no activity, no wait), so an update answers within the
// workflow task that delivers it and the loop in ./journey.ts carries out what follows.
// Workflow code: deterministic, no I/O.
import type { NewJourneyEvent } from '../db/repositories/journey-events.ts';
import { parseTime, Planner, projectTimeline, scoreAnswers, type CompiledPathway, type Plan, type Projection } from '../pathway/planner/index.ts';
import type {
  CompleteStepRequest,
  EntitlementUse,
  JourneyInput,
  JourneyView,
  RecordEventRequest,
  SetAnchorRequest,
  SetVariableRequest,
  SubmitAnswersRequest,
  SubmitReadingRequest,
  UpgradePathwayRequest,
  UseEntitlementRequest,
} from './journey-definitions.ts';
import { addAction, addFallbackCall, addMissed, Round, type ActionScope } from './journey-round.ts';
import { Fallbacks, nextMessage, type FallbackReason, type PendingFallback } from './fallbacks.ts';
import { Pacing, type HeldMessages } from './pacing.ts';
import type { DeliveryOutcome, SendMessageInput, SendMessageResult } from '../activities/messages.ts';
import { parseKey, stepIdOfKey } from '../pathway/model/keys.ts';
import { DEFAULT_REPLAY_BUDGET, type ReplayBudget } from './replay-budget.ts';
import {
  stepOf,
  validateCompleteStep,
  validateRecordEvent,
  validateSetAnchor,
  validateSetVariable,
  validateSubmitAnswers,
  validateSubmitReading,
  validateUpgradePathway,
  validateUseEntitlement,
} from './journey-validation.ts';
import { OPEN_VIEW_KINDS, type StepKind } from '../pathway/model/step-kinds.ts';

export class JourneyRun {
  readonly pathway: CompiledPathway;
  readonly planner: Planner;
  /** Open human tasks: occurrence key → task id in the worklist. */
  readonly openTasks: Record<string, string>;
  /** Messages of preference orders waiting on their channel's outcome. */
  readonly fallbacks: Fallbacks;
  readonly pacing: Pacing;
  readonly run: number;
  /** This journey's replay budget, pinned at enrolment. */
  readonly budget: ReplayBudget;
  /** The last plan (status, stage, next wake-up, entitlements). */
  current: Plan;
  /** Set by every update; the loop plans again when it sees it. */
  changed = false;
  /** Called whenever an update changes the journey (wakes the loop). */
  onChange: () => void = () => {};
  /** What updates wrote since the last round: timeline entries and tasks to close. */
  private pending = new Round();
  upgradeTo: CompiledPathway | null = null;
  /** Planning rounds in this run (part of the replay budget). */
  rounds = 0;
  /** The search attributes last published (status, stage, next wake-up), as one string. */
  publishedSearchAttributes = '';
  private endRecorded = false;
  private continuationRecorded = false;
  /**
   * When the journey is next due to run (epoch ms): its last plan's wake-up, the enrolment before
   * the first round. A round that runs after it ran late: the platform was held up.
   */
  private dueAt: number | null;

  constructor(
    readonly input: JourneyInput,
    now: string,
  ) {
    this.pathway = input.pathway;
    const state = input.journey;
    state.occurrences ??= {};
    state.events ??= [];
    state.readings ??= [];
    this.planner = new Planner(this.pathway, state);
    this.openTasks = { ...(input.openTasks ?? {}) };
    this.fallbacks = new Fallbacks(this.pathway, [...(input.fallbacks ?? [])]);
    this.pacing = new Pacing(this.pathway, input.pacing);
    this.run = input.run ?? 0;
    // Tasks of steps a new version of the pathway no longer has cannot be completed: cancel them.
    for (const key of Object.keys(this.openTasks)) {
      if (!stepOf(this.pathway, key)) this.cancel(this.pending, key, now, { reason: 'step-removed-by-upgrade' });
    }
    this.budget = { ...DEFAULT_REPLAY_BUDGET, ...input.replayBudget };
    const dueAt = this.run === 0 ? state.enrolledAt : input.dueAt;
    this.dueAt = dueAt ? parseTime(dueAt, this.pathway.timezone.offsetMinutes)!.ms : null;
    this.current = this.planner.plan(now);
  }

  get state() {
    return this.planner.state;
  }

  get ended(): boolean {
    return this.current.status === 'ended' || this.current.status === 'completed';
  }

  // —— updates: validators (pure) and handlers (one synchronous change each) ——

  validateCompleteStep(r: CompleteStepRequest, now: string): void {
    validateCompleteStep(this.pathway, this.state, r, now);
  }
  completeStep(r: CompleteStepRequest, at: string): { key: string; completedAt: string } {
    this.planner.update(r.key, r.data ? { completedAt: at, data: { ...r.data } } : { completedAt: at });
    const taskId = this.openTasks[r.key];
    if (taskId) {
      delete this.openTasks[r.key];
      this.pending.closes.push({ taskId, status: 'done', by: r.by, result: r.data ?? null, at });
    }
    this.note('completed', r.key, at, stepOf(this.pathway, r.key)?.id ?? null, { by: r.by });
    return { key: r.key, completedAt: at };
  }

  validateSetAnchor(r: SetAnchorRequest): void {
    validateSetAnchor(this.pathway, this.state, r);
  }
  /** `updateId` (Temporal's id of the update) keys the timeline entry: each correction has one, a resent one the same. */
  setAnchor(r: SetAnchorRequest, at: string, updateId: string): { name: string; value: string } {
    const corrected = this.state.anchors[r.name] !== undefined;
    this.planner.setAnchor(r.name, r.value);
    this.note('anchor-set', `${r.name}@${updateId}`, at, null, { anchor: r.name, corrected, by: r.by });
    return { name: r.name, value: r.value };
  }

  validateSetVariable(r: SetVariableRequest): void {
    validateSetVariable(this.pathway, r);
  }
  setVariable(r: SetVariableRequest, at: string, updateId: string): { name: string; value: boolean | number | string } {
    this.planner.setVariable(r.name, r.value);
    this.note('variable-set', `${r.name}@${updateId}`, at, null, { variable: r.name, by: r.by });
    return { name: r.name, value: r.value };
  }

  validateRecordEvent(r: RecordEventRequest, now: string): void {
    validateRecordEvent(this.pathway, this.state, r, now, this.ended);
  }
  recordEvent(r: RecordEventRequest, now: string): { name: string; at: string } {
    const at = r.at ? this.normalise(r.at) : now;
    this.planner.addEvent({ id: r.id, name: r.name, at });
    this.note('event', r.id, now, null, { event: r.name, by: r.by });
    return { name: r.name, at };
  }

  validateSubmitAnswers(r: SubmitAnswersRequest): void {
    validateSubmitAnswers(this.pathway, this.state, r);
  }
  submitAnswers(r: SubmitAnswersRequest, at: string): { key: string; score: number } {
    this.planner.update(r.key, { completedAt: at, data: { items: { ...r.items } } });
    const step = stepOf(this.pathway, r.key);
    // Scored as the planner scores it for the questionnaire's rules: one owner of the total.
    const score = scoreAnswers(step?.kind === 'questionnaire' ? this.pathway.questionnaires[step.questionnaire] : undefined, { items: r.items })!.score;
    this.note('answered', r.key, at, step?.id ?? null, { by: r.by });
    return { key: r.key, score };
  }

  validateSubmitReading(r: SubmitReadingRequest, now: string): void {
    validateSubmitReading(this.pathway, this.state, r, now);
  }
  submitReading(r: SubmitReadingRequest, at: string): { id: string } {
    // A device clock a little ahead (the validator allows a minute) counts as now, so that the
    // reading's rules run at once rather than at the next planned moment.
    const taken = this.normalise(r.at) > at ? at : this.normalise(r.at);
    this.planner.addReading({ id: r.id, metric: r.metric, at: taken, values: { ...r.values } });
    this.note('reading', r.id, at, null, { metric: r.metric, by: r.by });
    return { id: r.id };
  }

  validateUseEntitlement(r: UseEntitlementRequest, now: string): void {
    validateUseEntitlement(this.pathway, this.state, r, this.planner.balance(r.entitlement, Date.parse(now))?.remaining);
  }
  useEntitlement(r: UseEntitlementRequest, at: string): EntitlementUse {
    const earlier = (this.state.consumptions ?? []).find((c) => c.entitlement === r.entitlement && c.ref === r.ref);
    if (!earlier) {
      this.planner.addConsumption({ entitlement: r.entitlement, at, ref: r.ref });
      this.note('entitlement-used', `${r.entitlement}@${r.ref}`, at, null, { entitlement: r.entitlement, ref: r.ref, by: r.by });
    }
    const balance = this.planner.balance(r.entitlement, Date.parse(at))!;
    return { entitlement: r.entitlement, ref: r.ref, at: earlier?.at ?? at, duplicate: earlier !== undefined, ...balance };
  }

  validateUpgradePathway(r: UpgradePathwayRequest): void {
    validateUpgradePathway(this.pathway, this.state, r);
  }
  upgradePathway(r: UpgradePathwayRequest, at: string): { from: string; to: string } {
    this.upgradeTo = r.pathway;
    this.pending.upgrade = { version: r.pathway.version, hash: r.pathway.hash };
    this.note('pathway-upgraded', `${r.pathway.id}@${r.pathway.version}`, at, null, { from: this.pathway.version, to: r.pathway.version, by: r.by });
    return { from: this.pathway.version, to: r.pathway.version };
  }

  // —— planning rounds ——

  /**
   * Plans at `now` and applies the plan to the state: skipped and cancelled occurrences are
   * recorded, due ones marked issued, and what the journey missed while it was held up is handed
   * to a person. Returns the round that carries it out, with what updates wrote since the last
   * one; `acted` tells whether the plan did anything. `handsOverMissed` is asked (once, only
   * when the journey missed a window) whether this run may: histories from before it may not.
   */
  planRound(now: string, handsOverMissed: () => boolean = () => true): { round: Round; acted: boolean } {
    this.changed = false;
    this.rounds++;
    const at = Date.parse(now);
    let plan = this.planner.planAt(at, this.dueAt === null ? null : Math.min(this.dueAt, at));
    if (plan.heldUp && !handsOverMissed()) plan = this.planner.planAt(at);
    this.current = plan;
    this.dueAt = this.nextWakeMs();
    const round = this.pending;
    this.pending = new Round();
    const scope = this.scope(now);
    for (const skip of plan.skipped) {
      this.planner.update(skip.key, { skipped: skip.reason });
      round.events.push(this.entry('skipped', skip.key, now, skip.step, { reason: skip.reason, plannedAt: skip.plannedAt }));
      if (skip.missed) addMissed(round, scope, skip.missed);
    }
    for (const key of plan.cancel) {
      this.cancel(round, key, now, plan.cancelReasons?.[key]);
    }
    const planned = round.messages.length;
    for (const action of plan.due) {
      addAction(round, scope, action);
      this.planner.update(action.key, { issuedAt: now });
      round.events.push(
        this.entry(action.type === 'issue' ? 'issued' : action.type, action.key, now, action.step, {
          kind: action.kind,
          plannedAt: action.plannedAt,
          urgency: action.urgency,
        }),
      );
    }
    if (this.pacing.active) this.pace(round, planned, now);
    return { round, acted: plan.due.length + plan.skipped.length + plan.cancel.length > 0 };
  }

  // —— pacing of routine messages ——

  /** Holds the round's new routine messages whose turn has not come (each on the timeline as `paced`, with its turn). */
  private pace(round: Round, planned: number, now: string): void {
    const { go, held } = this.pacing.admit(round.messages.slice(planned), Date.parse(now));
    round.messages.splice(planned, round.messages.length - planned, ...go);
    for (const h of held) round.events.push(this.entry('paced', `${h.occurrenceKey}/paced`, now, stepIdOfKey(h.occurrenceKey), { until: h.at }));
  }

  /**
   * The held messages whose turn has come go in the next round, unless their step was answered
   * or cancelled meanwhile, or the journey exited (each such one on the timeline as dropped).
   */
  release(held: readonly HeldMessages[], now: string): void {
    for (const h of held) {
      const dropped = this.droppedReason(h.occurrenceKey);
      if (dropped) this.note('paced', `${h.occurrenceKey}/released`, now, stepIdOfKey(h.occurrenceKey), { dropped });
      else this.pending.messages.push(...h.messages);
    }
  }

  /** Why a message waiting (for its turn, or its next channel) no longer goes: the journey exited, its step was done or cancelled. */
  private droppedReason(occurrenceKey: string): 'journey-ended' | 'step-done' | 'step-cancelled' | null {
    const rec = this.planner.record(parseKey(occurrenceKey)?.occurrence ?? occurrenceKey);
    return this.current.status === 'ended' ? 'journey-ended' : rec?.completedAt ? 'step-done' : rec?.cancelledAt ? 'step-cancelled' : null;
  }

  // —— preference orders of channels ——

  /** A delivery's results: what waits for a receipt, what moves on to the next channel. */
  afterSend(messages: readonly SendMessageInput[], results: readonly SendMessageResult[] | undefined, now: string): void {
    this.fallbacks.afterSend(messages, results, Date.parse(now));
  }

  /**
   * The next channel of each order whose time came (in the next round), unless its message was
   * delivered, its step was answered or cancelled meanwhile, or the journey exited: a patient who
   * answered the questionnaire, or whose pregnancy ended, is not sent it again.
   */
  fallBack(due: readonly PendingFallback[], outcomes: Readonly<Record<string, DeliveryOutcome>>, keyOf: (m: SendMessageInput) => string, now: string): void {
    for (const p of due) {
      const { message } = p;
      const reason: FallbackReason | 'delivered' = p.failed ? 'failed' : (outcomes[keyOf(message)] ?? 'unconfirmed');
      if (reason === 'delivered') continue;
      const dropped = this.droppedReason(message.occurrenceKey);
      const to = message.fallback.next[0]!;
      const details = { from: message.channel, reason, ...(dropped ? { dropped } : { to }) };
      this.note('fallback', `${message.occurrenceKey}/${message.channel}`, now, message.stepId, details);
      if (dropped) continue;
      const next = nextMessage(message);
      if (next) this.pending.messages.push(next);
      else addFallbackCall(this.pending, this, message, this.triedBefore(message));
    }
  }

  /** The channels a preference order tried before its call: every channel of the step but the call. */
  private triedBefore(message: SendMessageInput): string[] {
    const step = stepOf(this.pathway, message.occurrenceKey);
    return step && 'channels' in step ? step.channels.filter((c) => c !== 'phone') : [message.channel];
  }

  /** The next time the journey must run: its plan's wake-up, a channel's time running out, a held message's turn. */
  wakeMs(): number | null {
    const times = [this.nextWakeMs(), this.fallbacks.nextMs(), this.pacing.nextMs()].filter((t): t is number => t !== null);
    return times.length ? Math.min(...times) : null;
  }

  /** Closes every task still open when the span is over (in the next round). */
  closeAll(now: string): void {
    for (const key of Object.keys(this.openTasks)) this.cancel(this.pending, key, now, { reason: 'journey-completed' });
  }

  /** Marks the enrolment ended (in the next round), once. */
  recordEnd(status: 'completed' | 'exited', now: string): void {
    if (this.endRecorded) return;
    this.endRecorded = true;
    this.pending.ended = { status, at: now };
  }

  /** Notes why this run continues as new (in the next round), once. */
  recordContinuation(reason: string, events: number, bytes: number, now: string): void {
    if (this.continuationRecorded) return;
    this.continuationRecorded = true;
    this.note('continued-as-new', `run-${this.run + 1}`, now, null, { reason, events, bytes, rounds: this.rounds });
  }

  /** Keeps the tasks a round created among the open ones (only those still open and tracked). */
  tasksCreated(round: Round, refs: Record<string, { taskId: string; status: string }>, now: string): void {
    for (const { input, track } of round.tasks) {
      const ref = refs[input.occurrenceKey];
      if (!track || ref?.status !== 'open') continue;
      // Completed or cancelled while the round was being written: close it, do not track it.
      const rec = this.planner.record(input.occurrenceKey);
      if (rec?.completedAt) this.pending.closes.push({ taskId: ref.taskId, status: 'done', by: 'system', result: rec.data ?? null, at: now });
      else if (rec?.cancelledAt) this.pending.closes.push({ taskId: ref.taskId, status: 'cancelled', by: 'system', result: null, at: now });
      else this.openTasks[input.occurrenceKey] = ref.taskId;
    }
  }

  /** Adds a timeline entry to the next round (the reason a run continued as new, say). */
  note(type: string, key: string, at: string, stepId: string | null, details?: unknown): void {
    this.pending.events.push(this.entry(type, key, at, stepId, details));
    this.changed = true;
    this.onChange();
  }

  /** Whether updates left something for a round to write. */
  get hasPendingWrites(): boolean {
    return !this.pending.empty;
  }

  /** The time of the next wake-up in epoch milliseconds, or null when only an update can change the plan. */
  nextWakeMs(): number | null {
    return this.current.nextWakeAt ? parseTime(this.current.nextWakeAt, this.pathway.timezone.offsetMinutes)!.ms : null;
  }

  /** The state to carry into the next run (closed records in their short form). */
  carryOver(pathway: CompiledPathway = this.pathway): JourneyInput {
    // What this run's input carried is replaced by what waits now, never carried again as it was.
    const { fallbacks: _carried, pacing: _paced, ...input } = this.input;
    const next = { ...input, pathway, journey: this.planner.compactedState(), openTasks: this.openTasks, run: this.run + 1, replayBudget: this.budget };
    const fallbacks = this.fallbacks.count ? { fallbacks: [...this.fallbacks.pending] } : {};
    const pacing = this.pacing.active || this.pacing.heldCount ? { pacing: this.pacing.state } : {};
    return { ...next, ...fallbacks, ...pacing, dueAt: this.current.nextWakeAt };
  }

  // —— queries ——

  view(): JourneyView {
    const occurrences = Object.entries(this.state.occurrences ?? {});
    return {
      enrollmentId: this.input.enrollmentId,
      pathway: { id: this.pathway.id, version: this.pathway.version, hash: this.pathway.hash },
      status: this.current.status,
      stage: this.current.stage ?? null,
      nextWakeAt: this.current.nextWakeAt,
      anchors: { ...this.state.anchors },
      events: (this.state.events ?? []).map((e) => ({ ...e })),
      open: occurrences
        .filter(([, r]) => r.issuedAt && !r.completedAt && !r.cancelledAt && !r.skipped)
        .filter(([key]) => OPEN_VIEW_KINDS.has(stepOf(this.pathway, key)?.kind as StepKind))
        .map(([key, r]) => {
          const step = stepOf(this.pathway, key)!;
          const item = { key, step: step.id, kind: step.kind, issuedAt: r.issuedAt! };
          return this.openTasks[key] ? { ...item, taskId: this.openTasks[key] } : item;
        }),
      completed: occurrences.filter(([, r]) => r.completedAt).length + (this.state.settled?.completed ?? 0),
      skipped: occurrences.filter(([, r]) => r.skipped).length + (this.state.settled?.skipped ?? 0),
      entitlements: this.current.entitlements,
      run: this.run,
    };
  }

  timeline(now: string): Projection {
    return projectTimeline(this.pathway, this.state, { from: now });
  }

  // —— helpers ——

  private cancel(round: Round, key: string, now: string, result: { reason: string } | undefined): void {
    const taskId = this.openTasks[key];
    if (taskId) {
      delete this.openTasks[key];
      round.closes.push({ taskId, status: 'cancelled', by: 'system', result: result ?? null, at: now });
    }
    this.planner.update(key, { cancelledAt: now });
    round.events.push(this.entry('cancelled', key, now, stepOf(this.pathway, key)?.id ?? null, result));
  }

  private scope(now: string): ActionScope {
    const occurrences = this.state.occurrences ?? {};
    return {
      input: this.input,
      now,
      pathway: this.pathway,
      openTasks: this.openTasks,
      anchors: this.planner.anchorsAt(Date.parse(now)),
      sourceData: (key) => occurrences[key]?.data,
    };
  }

  private entry(type: string, key: string, at: string, stepId: string | null, details?: unknown): NewJourneyEvent {
    return { enrollmentId: this.input.enrollmentId, eventKey: `${type}:${key}`, type, stepId, at, details };
  }

  private normalise(text: string): string {
    return new Date(parseTime(text, this.pathway.timezone.offsetMinutes)!.ms).toISOString();
  }
}
