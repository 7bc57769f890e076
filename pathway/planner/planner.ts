/**
 * The incremental planner: one per running journey (and per preview). It keeps what a plan is
 * computed from between calls, so that a call costs what is open and next, not what happened
 * before:
 * - the facts (anchors, events, pauses, stages, variables) are derived once and kept until an
 *   anchor, event or variable changes, or time reaches an event or reading dated ahead;
 * - occurrences are expanded once per change of what they depend on: recurrences are generated
 *   as time reaches them, a completion adds the occurrences that follow it, a reading the ones
 *   its rules trigger (rules are evaluated once per source);
 * - each step's occurrences are kept in time order with a cursor past those already handled, and
 *   open items (issued, awaiting completion) are indexed, so a call looks only at open items,
 *   occurrences due by now and the next one of each step.
 *
 * The journey state stays the plain, serialisable source of truth: change it only through the
 * methods below, which keep the indexes in step. Plans are exactly those of a full expansion
 * and scan of the state (`tests/pathway/planner.differential.test.ts` checks this against the
 * planner as it was before).
 *
 * Pure and deterministic: no I/O, no clock, no randomness. Safe inside Temporal's workflow sandbox.
 */
import type { CompiledPathway, CompiledStep } from '../model/compiled.ts';
import type { Consumption, EntitlementBalance, JourneyEvent, JourneyState, OccurrenceRecord, Plan, Reading } from '../model/journey.ts';
import { balanceAt } from './entitlements.ts';
import { buildContextAt, compareText, mustParse, type PlanContext } from './context.ts';
import {
  completionOf,
  dependentOccurrence,
  eventTriggers,
  questionnaireTriggers,
  readingTriggers,
  ScheduledSeries,
  triggeredOccurrence,
  variableValues,
  type Occurrence,
  type Trigger,
} from './occurrences.ts';
import { bookedOutside } from './booking.ts';
import { PlanRun } from './plan-run.ts';
import { addSettled, isSettledIn, readSettled, type SettledStep } from './settled.ts';
import { StageEnds, stepsTimedAfter } from './stage-ends.ts';
import { stageSpans, type StageSpan } from './stages.ts';
import { formatDate, formatTime, parseTime } from './time.ts';
import { stepIdOfOccurrence } from '../model/keys.ts';
import { AWAITED_KINDS } from '../model/step-kinds.ts';

const NO_RECORDS: Record<string, OccurrenceRecord> = Object.freeze({}) as Record<string, OccurrenceRecord>;

/** A step's occurrences in (planned time, key) order, and the first one not yet handled. */
interface StepOccurrences {
  list: Occurrence[];
  cursor: number;
}

/** Caches that hold while anchors, events and variables stay as they are. */
interface Facts {
  base: PlanContext;
  builtAt: number;
  /** The first instant (an event or reading dated ahead) at which the facts change by themselves. */
  validUntil: number;
  spans: StageSpan[];
  vars: Record<string, unknown>;
  series: ScheduledSeries[];
  byKey: Map<string, Occurrence>;
  byStep: Map<string, StepOccurrences>;
  /** Non-triggered occurrences whose window closed before enrolment: skipped whenever they come up. */
  lateSkips: Set<string>;
  /** Readings dated after `now` when last looked at. */
  futureReadings: Reading[];
  /** Completions not yet expanded into what follows them. */
  newCompletions: Set<string>;
  ruleWarnings: string[];
  /** What the stage-ending events that have happened closed; null when none has. */
  stageEnds: StageEnds | null;
  /** The anchors formatted for templates, once asked for. */
  anchors?: Record<string, string>;
}

export class Planner {
  private readonly offset: number;
  private readonly steps = new Map<string, CompiledStep>();
  private readonly dependents = new Map<string, CompiledStep[]>();
  private readonly monitorsWithRules: CompiledStep[];
  private readonly consuming = new Map<string, string>();
  /** Issued, not completed, skipped or cancelled occurrences of the open kinds. */
  private readonly open = new Set<string>();
  /** Entitlement → occurrence key → instant it was used (issued consuming steps). */
  private readonly stepUses = new Map<string, Map<string, number>>();
  private consumptionUses: { count: number; uses: Map<string, number[]> } = { count: -1, uses: new Map() };
  private facts: Facts | null = null;
  private readonly settled: Map<string, SettledStep>;
  private readonly timedAfter: Map<string, Set<string>>;

  constructor(
    readonly pathway: CompiledPathway,
    readonly state: JourneyState,
  ) {
    this.offset = pathway.timezone.offsetMinutes;
    for (const step of pathway.steps) {
      this.steps.set(step.id, step);
      if (step.origin.type === 'dependent') this.dependents.set(step.origin.source, [...(this.dependents.get(step.origin.source) ?? []), step]);
      if (step.consumes) this.consuming.set(step.id, step.consumes);
    }
    this.monitorsWithRules = pathway.steps.filter((s) => s.kind === 'monitor' && s.rules.length > 0);
    this.settled = readSettled(state.settled);
    this.timedAfter = stepsTimedAfter(pathway);
    for (const [key, rec] of Object.entries(this.records)) this.index(key, rec);
  }

  /** The plan at `nowIso` (ISO 8601). */
  plan(nowIso: string): Plan {
    return this.planAt(mustParse(nowIso, this.offset, 'now'));
  }

  /**
   * The plan at `now` (epoch milliseconds). `dueSince`: when the journey was due to run (its last
   * plan's wake-up or its enrolment), if the caller knows; a window that closed after it is
   * missed because the journey ran late, and the plan hands what it missed to a person.
   */
  planAt(now: number, dueSince: number | null = null): Plan {
    const facts = this.factsAt(now);
    // The facts hold for every `now` until they are rebuilt; only the instant itself moves.
    const ctx: PlanContext = facts.base;
    ctx.now = now;
    const run = new PlanRun(ctx, facts.spans, [...facts.ruleWarnings], facts.vars, this.usesNow(), facts.stageEnds, dueSince);
    for (const occ of this.candidates(facts, now)) run.consider(occ);
    return run.result();
  }

  /**
   * Every anchor that resolves at `nowIso`, formatted as the pathway declares it (`YYYY-MM-DD` for
   * a date, an ISO instant with offset for a date-time); unknown ones are absent.
   */
  resolvedAnchors(nowIso: string): Record<string, string> {
    return { ...this.anchorsAt(mustParse(nowIso, this.offset, 'now')) };
  }

  /** The same at `now` (epoch milliseconds); the object is shared until the facts change: do not modify it. */
  anchorsAt(now: number): Readonly<Record<string, string>> {
    const facts = this.factsAt(now);
    if (!facts.anchors) {
      const out: Record<string, string> = {};
      for (const [name, ms] of [...facts.base.anchors.entries()].sort(([a], [b]) => compareText(a, b))) {
        out[name] = this.pathway.anchors[name]?.type === 'date' ? formatDate(ms, this.offset) : formatTime(ms, this.offset);
      }
      facts.anchors = out;
    }
    return facts.anchors;
  }

  /** The record of an occurrence or follow-up, if any. */
  record(key: string): OccurrenceRecord | undefined {
    return this.records[key];
  }

  /** Merges `patch` into an occurrence's record (issued, completed with data, skipped, cancelled). */
  update(key: string, patch: OccurrenceRecord): OccurrenceRecord {
    const occurrences = (this.state.occurrences ??= {});
    const before = occurrences[key];
    const after: OccurrenceRecord = { ...before, ...patch };
    occurrences[key] = after;
    this.index(key, after);
    const completionChanged = 'completedAt' in patch || 'data' in patch;
    if (completionChanged && this.facts) {
      // A completion adds what follows it; changing one that was already recorded rebuilds.
      if (before?.completedAt) this.facts = null;
      else this.facts.newCompletions.add(key);
    }
    return after;
  }

  /** Sets or corrects an anchor. */
  setAnchor(name: string, value: string): void {
    this.state.anchors[name] = value;
    this.facts = null;
  }

  /** Sets a variable (a risk flag, a report value). */
  setVariable(name: string, value: boolean | number | string): void {
    this.state.variables = { ...this.state.variables, [name]: value };
    this.facts = null;
  }

  /** Records an event (delivered, hospitalised, …). */
  addEvent(event: JourneyEvent): void {
    (this.state.events ??= []).push(event);
    this.facts = null;
  }

  /** Adds a home reading; its rules are evaluated once its time has come. */
  addReading(reading: Reading): void {
    (this.state.readings ??= []).push(reading);
    this.facts?.futureReadings.push(reading);
  }

  /** Records a use of an entitlement outside the steps (a consultation, a green-channel visit). */
  addConsumption(consumption: Consumption): void {
    (this.state.consumptions ??= []).push(consumption);
  }

  /** An entitlement's balance at `now` (epoch milliseconds), counting every use recorded so far. */
  balance(entitlement: string, now: number): EntitlementBalance | undefined {
    const ent = this.pathway.entitlements[entitlement];
    return ent ? balanceAt(this.factsAt(now).base, ent, this.usesNow().get(entitlement) ?? [], now) : undefined;
  }

  /**
   * The state to carry into a new run, smaller and planning exactly the same: a skipped or
   * cancelled occurrence, or a sent message, of a step that is no source of anything (no step
   * follows it, no rule scores it, no entitlement counts it) keeps only its key, in `settled`
   * (./settled.ts), and the follow-ups of such occurrences are dropped. Other records, and every
   * completion, stay whole.
   */
  compactedState(): JourneyState {
    const occurrences: Record<string, OccurrenceRecord> = {};
    const closed: { key: string; how: 'skipped' | 'other' }[] = [];
    const dropped = new Set<string>();
    for (const [key, rec] of Object.entries(this.records)) {
      const stepId = stepIdOfOccurrence(key);
      const step = stepId === null ? undefined : this.steps.get(stepId);
      const how = step && !this.isSource(step) ? closedAs(step, rec) : undefined;
      if (how) {
        closed.push({ key, how });
        dropped.add(key);
      } else occurrences[key] = rec;
    }
    for (const key of Object.keys(occurrences)) {
      const slash = key.indexOf('/');
      if (slash > 0 && (dropped.has(key.slice(0, slash)) || isSettledIn(this.settled, key.slice(0, slash)))) delete occurrences[key];
    }
    return { ...this.state, occurrences, settled: addSettled(this.state.settled, closed) };
  }

  /** Whether an occurrence was closed in an earlier run and kept in short form only. */
  isSettled(key: string): boolean {
    return isSettledIn(this.settled, key);
  }

  /** Whether anything reads a step's records beyond their keys: dependents, score rules, entitlements. */
  private isSource(step: CompiledStep): boolean {
    return this.dependents.has(step.id) || this.consuming.has(step.id) || (step.kind === 'questionnaire' && step.rules.length > 0);
  }

  private get records(): Record<string, OccurrenceRecord> {
    return this.state.occurrences ?? NO_RECORDS;
  }

  /** Keeps the open items and the entitlement uses of one record current. */
  private index(key: string, rec: OccurrenceRecord): void {
    const stepId = stepIdOfOccurrence(key);
    if (stepId === null) return;
    const kind = this.steps.get(stepId)?.kind;
    if (kind && AWAITED_KINDS.has(kind) && rec.issuedAt && !rec.completedAt && !rec.skipped && !rec.cancelledAt) this.open.add(key);
    else this.open.delete(key);
    const entitlement = this.consuming.get(stepId);
    if (!entitlement) return;
    // A step uses its unit when issued; a cancelled one gives it back.
    const iso = rec.cancelledAt ? undefined : (rec.issuedAt ?? rec.completedAt);
    const ms = iso ? parseTime(iso, this.offset)?.ms : undefined;
    const uses = this.stepUses.get(entitlement) ?? new Map<string, number>();
    this.stepUses.set(entitlement, uses);
    if (ms === undefined) uses.delete(key);
    else uses.set(key, ms);
  }

  /** Entitlement uses at this call: issued consuming steps plus recorded requests (a fresh copy). */
  private usesNow(): Map<string, number[]> {
    const consumptions = this.state.consumptions ?? [];
    if (this.consumptionUses.count !== consumptions.length) {
      const uses = new Map<string, number[]>();
      for (const c of consumptions) {
        const ms = parseTime(c.at, this.offset)?.ms;
        if (ms !== undefined) uses.set(c.entitlement, [...(uses.get(c.entitlement) ?? []), ms]);
      }
      this.consumptionUses = { count: consumptions.length, uses };
    }
    const out = new Map<string, number[]>();
    for (const [id, uses] of this.stepUses) if (uses.size) out.set(id, [...uses.values()]);
    for (const [id, uses] of this.consumptionUses.uses) out.set(id, [...(out.get(id) ?? []), ...uses]);
    return out;
  }

  /** The facts and occurrences at `now`, brought up to date. */
  private factsAt(now: number): Facts {
    let facts = this.facts;
    if (!facts || now < facts.builtAt || now >= facts.validUntil) facts = this.facts = this.rebuild(now);
    for (const key of facts.newCompletions) this.expandCompletion(facts, key);
    facts.newCompletions.clear();
    if (facts.futureReadings.length) {
      const later: Reading[] = [];
      for (const reading of facts.futureReadings) if (!this.expandReading(facts, reading, now)) later.push(reading);
      facts.futureReadings = later;
    }
    for (const series of facts.series) for (const occ of series.extend(now)) this.add(facts, occ);
    return facts;
  }

  private rebuild(now: number): Facts {
    const base = buildContextAt(this.pathway, this.state, now);
    const facts: Facts = {
      base,
      builtAt: now,
      validUntil: Math.min(Infinity, ...base.futureEvents),
      spans: stageSpans(base),
      vars: variableValues(base),
      series: [],
      byKey: new Map(),
      byStep: new Map(),
      lateSkips: new Set(),
      futureReadings: [],
      newCompletions: new Set(),
      ruleWarnings: [],
      stageEnds: null,
    };
    if (this.timedAfter.size) {
      const ends = new StageEnds(
        base,
        facts.spans,
        (event) => this.timedAfter.get(event) ?? new Set(),
        (key) => facts.byKey.get(key),
      );
      if (ends.any) facts.stageEnds = ends;
    }
    for (const step of this.pathway.steps) if (step.origin.type === 'schedule') facts.series.push(new ScheduledSeries(base, step));
    for (const key of Object.keys(this.records)) this.expandCompletion(facts, key);
    for (const e of base.events) for (const trig of eventTriggers(base, e)) this.addTriggered(facts, trig);
    for (const reading of this.state.readings ?? []) if (!this.expandReading(facts, reading, now)) facts.futureReadings.push(reading);
    return facts;
  }

  /** What follows a completed occurrence: dependent steps, and what its questionnaire score triggers. */
  private expandCompletion(facts: Facts, key: string): void {
    const stepId = stepIdOfOccurrence(key);
    const rec = this.records[key];
    const completedAt = rec ? completionOf(facts.base, rec) : null;
    if (stepId === null || !rec || completedAt === null) return;
    for (const step of this.dependents.get(stepId) ?? []) {
      const occ = dependentOccurrence(facts.base, step, stepId, key, rec, completedAt);
      if (occ) this.add(facts, occ);
    }
    const step = this.steps.get(stepId);
    if (step?.kind === 'task' && Array.isArray(step.booking?.outside) && bookedOutside(facts.base, step, rec)) {
      for (const target of step.booking.outside) this.addTriggered(facts, { target, source: key, at: completedAt });
    }
    if (step?.kind === 'questionnaire' && step.rules.length > 0) {
      for (const trig of questionnaireTriggers(facts.base, step, key, rec, completedAt, facts.vars, facts.ruleWarnings)) this.addTriggered(facts, trig);
    }
  }

  /** Evaluates a reading's rules once its time has come; false while it lies after `now`. */
  private expandReading(facts: Facts, reading: Reading, now: number): boolean {
    const at = parseTime(reading.at, this.offset)?.ms;
    if (at === undefined) return true;
    if (at > now) return false;
    for (const trig of readingTriggers(this.monitorsWithRules, reading, at, facts.vars, facts.ruleWarnings)) this.addTriggered(facts, trig);
    return true;
  }

  private addTriggered(facts: Facts, trig: Trigger): void {
    const step = this.steps.get(trig.target);
    const occ = step ? triggeredOccurrence(facts.base, step, trig) : null;
    if (occ) this.add(facts, occ);
  }

  /**
   * Adds an occurrence to its step's ordered list. A key seen before keeps its first occurrence,
   * except that a scheduled or dependent one wins over a triggered one (as in a full expansion).
   */
  private add(facts: Facts, occ: Occurrence): void {
    const existing = facts.byKey.get(occ.key);
    if (existing && !(existing.triggered && !occ.triggered)) return;
    let entry = facts.byStep.get(occ.step.id);
    if (!entry) facts.byStep.set(occ.step.id, (entry = { list: [], cursor: 0 }));
    if (existing) entry.list.splice(entry.list.indexOf(existing), 1);
    const at = insertionIndex(entry.list, occ);
    entry.list.splice(at, 0, occ);
    if (at <= entry.cursor) entry.cursor = existing ? 0 : at;
    facts.byKey.set(occ.key, occ);
    if (!occ.triggered && (occ.latest ?? occ.plannedAt) < facts.base.enrolledAt) facts.lateSkips.add(occ.key);
    else facts.lateSkips.delete(occ.key);
  }

  /**
   * The occurrences a plan at `now` must consider, in (planned time, key) order: per step those
   * not yet handled up to now and the next one after it (a later one only moves a wake-up that
   * this one already sets earlier), every open item, and those whose window closed before
   * enrolment.
   */
  private candidates(facts: Facts, now: number): Occurrence[] {
    const records = this.records;
    const handled = (key: string) => {
      const rec = records[key];
      if (rec === undefined) return this.settled.size > 0 && isSettledIn(this.settled, key);
      return rec.skipped !== undefined || rec.cancelledAt !== undefined || rec.issuedAt !== undefined;
    };
    const out: Occurrence[] = [];
    const seen = new Set<string>();
    const take = (occ: Occurrence) => {
      if (!seen.has(occ.key)) {
        seen.add(occ.key);
        out.push(occ);
      }
    };
    for (const entry of facts.byStep.values()) {
      const { list } = entry;
      while (entry.cursor < list.length && handled(list[entry.cursor]!.key)) entry.cursor++;
      for (let i = entry.cursor; i < list.length; i++) {
        const occ = list[i]!;
        if (handled(occ.key)) continue;
        take(occ);
        if (occ.plannedAt > now) break;
      }
    }
    for (const key of this.open) {
      const occ = facts.byKey.get(key);
      if (occ) take(occ);
    }
    for (const key of facts.lateSkips) {
      if (handled(key)) facts.lateSkips.delete(key);
      else take(facts.byKey.get(key)!);
    }
    return out.sort(byPlannedTime);
  }
}

/**
 * How a record closed, if it can be kept in short form: skipped, cancelled, or a message or
 * reminder sent. A completion stays whole whatever its step: a later version of the pathway
 * (an upgrade) may add a step that follows it or a rule that scores it.
 */
function closedAs(step: CompiledStep, rec: OccurrenceRecord): 'skipped' | 'other' | undefined {
  if (rec.completedAt) return undefined;
  if (rec.skipped) return 'skipped';
  if (rec.cancelledAt) return 'other';
  return rec.issuedAt && (step.kind === 'message' || step.kind === 'monitor') ? 'other' : undefined;
}

function byPlannedTime(a: Occurrence, b: Occurrence): number {
  return a.plannedAt - b.plannedAt || compareText(a.key, b.key);
}

function insertionIndex(list: Occurrence[], occ: Occurrence): number {
  let lo = 0;
  let hi = list.length;
  while (lo < hi) {
    const mid = (lo + hi) >>> 1;
    if (byPlannedTime(list[mid]!, occ) <= 0) lo = mid + 1;
    else hi = mid;
  }
  return lo;
}
