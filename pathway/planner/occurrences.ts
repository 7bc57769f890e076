/**
 * The occurrences of a pathway's steps for one journey, built one source at a time so that the
 * planner can keep them between calls: scheduled ones (from anchors, with recurrence, generated
 * as time passes), dependent ones (one per completed occurrence of the step they follow) and
 * triggered ones (by events, questionnaire scores and home readings).
 */
import type { CompiledExpression, CompiledRule, CompiledStep } from '../model/compiled.ts';
import type { OccurrenceRecord, Reading } from '../model/journey.ts';
import { resolveRef, type HappenedEvent, type PlanContext, type RefSource } from './context.ts';
import { evaluateCondition, namesRead } from './expressions.ts';
import { scoreAnswers } from './scoring.ts';
import { DAY, MINUTE, parseTime, startOfLocalDay } from './time.ts';
import { occurrenceKey, splitKey } from '../model/keys.ts';

export interface Occurrence {
  key: string;
  step: CompiledStep;
  plannedAt: number;
  latest: number | null;
  /** Key of what caused it: a source occurrence, `e:<event id>` or `r:<reading id>`. */
  source?: string;
  triggered: boolean;
}

/** What caused a triggered occurrence: its target step, the source key and when it happened. */
export interface Trigger {
  target: string;
  source: string;
  at: number;
}

const MAX_RECURRENCES = 5_000;

/** Current values of the pathway's variables (declared defaults overlaid with the journey's). */
export function variableValues(ctx: PlanContext): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const [name, v] of Object.entries(ctx.pathway.variables)) if (v.default !== undefined) values[name] = v.default;
  return { ...values, ...(ctx.state.variables ?? {}) };
}

/** First planned time and window end of an occurrence, or null while a base is unknown. */
function window(ctx: PlanContext, step: CompiledStep, src: RefSource): { at: number; latest: number | null } | null {
  const t = step.timing;
  const clock = { clock: t.time ?? ctx.pathway.defaultTime };
  const atRef = t.at ?? t.earliest ?? (step.origin.type === 'trigger' ? ({ base: 'trigger', offset: 0, dateOnly: false } as const) : undefined);
  if (!atRef) return null;
  let at = resolveRef(ctx, atRef, clock, src);
  if (at === null) return null;
  if (t.earliest) {
    const earliest = resolveRef(ctx, t.earliest, clock, src);
    if (earliest === null) return null;
    if (at < earliest) at = earliest;
  }
  let latest = t.latest ? resolveRef(ctx, t.latest, 'end', src) : null;
  if (t.latest && latest === null) return null;
  // Enrolled after its window closed: still due while the step says it is useful.
  if (step.origin.type === 'schedule' && typeof t.catchUp === 'object' && (latest ?? at) < ctx.enrolledAt) {
    const until = resolveRef(ctx, t.catchUp.until, 'end');
    if (until !== null && until > (latest ?? at)) latest = until;
  }
  return { at, latest };
}

/**
 * The times of a counted recurrence compressed into what remains of it when the journey was
 * enrolled after its first occurrence: all `count` occurrences, evenly from the enrolment to the
 * last planned one, never closer than a tenth of `every` (and whole days at the step's clock time
 * for a daily or longer recurrence); a series entirely past starts at the enrolment that way.
 */
function compressedTimes(ctx: PlanContext, firstAt: number, everyMs: number, count: number): number[] {
  const last = firstAt + (count - 1) * everyMs;
  const daily = everyMs % DAY === 0;
  const start = daily ? startOfLocalDay(ctx.enrolledAt, ctx.offset) + (firstAt - startOfLocalDay(firstAt, ctx.offset)) : ctx.enrolledAt;
  const unit = daily ? DAY : MINUTE;
  const even = count > 1 ? (last - start) / (count - 1) : everyMs;
  const gap = Math.max(unit, Math.floor(Math.max(even, everyMs / 10) / unit) * unit);
  return Array.from({ length: count }, (_, k) => start + k * gap);
}

/**
 * The recurrences of one scheduled step. They are generated as time goes on, up to the first
 * one after `now` (as a journey needs them), and never change while the anchors, the span and
 * the events they stop on stay the same.
 */
export class ScheduledSeries {
  private readonly generated: Occurrence[] = [];
  private done = false;
  private readonly first: { at: number; latest: number | null } | null;
  private readonly until: number | null = null;
  private readonly stopAt: number | null = null;
  /** The times of a recurrence compressed for a late enrolment (`catch_up: compress`). */
  private readonly times: number[] | null = null;

  constructor(
    private readonly ctx: PlanContext,
    private readonly step: CompiledStep,
  ) {
    this.first = window(ctx, step, {});
    const t = step.timing;
    if (!this.first) {
      this.done = true;
      return;
    }
    if (!t.every) return;
    this.until = t.until ? resolveRef(ctx, t.until, 'end') : null;
    if (t.until && this.until === null && !t.count && ctx.spanEnd === null) {
      this.done = true;
      return;
    }
    this.stopAt = ctx.events.find((e) => t.stopOn.includes(e.name))?.ms ?? null;
    if (t.catchUp === 'compress' && t.count && this.first.at < ctx.enrolledAt) this.times = compressedTimes(ctx, this.first.at, t.every * MINUTE, t.count);
  }

  /** Generates occurrences until one lies after `now` or the series ends; returns the new ones. */
  extend(now: number): Occurrence[] {
    const added: Occurrence[] = [];
    if (this.done) return added;
    if (!this.step.timing.every) {
      // A one-off step: its only occurrence, whatever the time.
      this.done = true;
      if (this.inSpan(this.first!.at)) added.push(this.occurrence(1, this.first!.at, this.first!.latest));
      this.generated.push(...added);
      return added;
    }
    const every = this.step.timing.every * MINUTE;
    const count = this.step.timing.count;
    while (!this.done) {
      const last = this.generated.at(-1);
      if (last && last.plannedAt > now) break;
      const n = this.generated.length;
      const at = this.times ? (this.times[n] ?? Infinity) : this.first!.at + n * every;
      if (n >= MAX_RECURRENCES || (count !== undefined && n >= count)) {
        this.done = true;
        break;
      }
      if ((this.until !== null && at > this.until) || !this.inSpan(at) || (this.stopAt !== null && at >= this.stopAt)) {
        this.done = true;
        break;
      }
      // Each occurrence's window closes when the next one is planned.
      const next = this.times ? (this.times[n + 1] ?? at + every) : at + every;
      const occurrence = this.occurrence(n + 1, at, Math.min(next - 1, this.first!.latest ?? Infinity));
      this.generated.push(occurrence);
      added.push(occurrence);
    }
    return added;
  }

  private inSpan(ms: number): boolean {
    return this.ctx.spanEnd === null || ms <= this.ctx.spanEnd;
  }

  private occurrence(n: number, plannedAt: number, latest: number | null): Occurrence {
    return { key: occurrenceKey(this.step.id, n), step: this.step, plannedAt, latest, triggered: false };
  }
}

/**
 * Whether a record counts as a completion a dependent step follows (an approval only when
 * approved), with its completion instant.
 */
export function completionOf(ctx: PlanContext, rec: OccurrenceRecord): number | null {
  if (!rec.completedAt || rec.data?.['approved'] === false) return null;
  return parseTime(rec.completedAt, ctx.offset)?.ms ?? null;
}

/** The occurrence of dependent `step` that follows the completed occurrence `key` of its source. */
export function dependentOccurrence(
  ctx: PlanContext,
  step: CompiledStep,
  source: string,
  key: string,
  rec: OccurrenceRecord,
  completedAt: number,
): Occurrence | null {
  const w = window(ctx, step, { completedAt, data: rec.data });
  if (!w) return null;
  return { key: occurrenceKey(step.id, splitKey(key)!.rest), step, plannedAt: w.at, latest: w.latest, source: key, triggered: false };
}

/** The occurrence a trigger causes, or null while its window cannot be resolved. */
export function triggeredOccurrence(ctx: PlanContext, step: CompiledStep, trig: Trigger): Occurrence | null {
  const w = window(ctx, step, { triggerAt: trig.at });
  if (!w) return null;
  return { key: occurrenceKey(step.id, trig.source), step, plannedAt: w.at, latest: w.latest, source: trig.source, triggered: true };
}

/** Steps an event that has happened triggers. */
export function eventTriggers(ctx: PlanContext, e: HappenedEvent): Trigger[] {
  return (ctx.pathway.events[e.name]?.triggers ?? []).map((target) => ({ target, source: `e:${e.id}`, at: e.ms }));
}

/** Steps a completed questionnaire's score triggers (`step` has rules), with evaluation warnings. */
export function questionnaireTriggers(
  ctx: PlanContext,
  step: CompiledStep,
  key: string,
  rec: OccurrenceRecord,
  at: number,
  vars: Record<string, unknown>,
  warnings: string[],
): Trigger[] {
  if (step.kind !== 'questionnaire') return [];
  const scored = scoreAnswers(ctx.pathway.questionnaires[step.questionnaire], rec.data);
  if (!scored) return [];
  const values = { ...vars, score: scored.score, items: scored.items, band: scored.band ?? '' };
  return matchRules(step.rules, values, warnings).map((target) => ({ target, source: key, at }));
}

/**
 * Steps a home reading triggers through the rules of the monitors of its metric. Thresholds apply
 * to what the reading gives (and the fields' defaults). A rule that reads a field the reading
 * leaves out and cannot be decided without it triggers the monitor's `incomplete` steps, with a
 * warning; a monitor without `incomplete` (written before it) counts such a rule false.
 */
export function readingTriggers(monitors: readonly CompiledStep[], reading: Reading, at: number, vars: Record<string, unknown>, warnings: string[]): Trigger[] {
  const out: Trigger[] = [];
  for (const step of monitors) {
    if (step.kind !== 'monitor' || step.metric !== reading.metric) continue;
    const values: Record<string, unknown> = { ...vars, ...step.defaults, ...reading.values };
    const source = `r:${reading.id}`;
    if (step.incomplete === undefined) {
      for (const target of matchRules(step.rules, values, warnings)) out.push({ target, source, at });
      continue;
    }
    let undetermined = false;
    for (const rule of step.rules) {
      const result = evaluateCondition(rule.if, values);
      if (result.ok) {
        if (result.value) for (const target of rule.triggers) out.push({ target, source, at });
        continue;
      }
      const missing = namesRead(rule.if.source, Object.keys(step.fields)).filter((f) => values[f] === undefined);
      if (missing.length === 0) warnings.push(result.error);
      else {
        undetermined = true;
        warnings.push(`a ${step.metric} reading without ${missing.join(', ')} leaves '${rule.if.source}' undetermined`);
      }
    }
    if (undetermined) for (const target of step.incomplete) out.push({ target, source, at });
  }
  return out;
}

function matchRules(rules: CompiledRule[], values: Record<string, unknown>, warnings: string[]): string[] {
  const targets: string[] = [];
  for (const rule of rules) if (holds(rule.if, values, warnings)) targets.push(...rule.triggers);
  return targets;
}

/** Evaluates a condition; an evaluation error counts as false and is reported as a warning. */
export function holds(expr: CompiledExpression, values: Record<string, unknown>, warnings: string[]): boolean {
  const result = evaluateCondition(expr, values);
  if (result.ok) return result.value;
  warnings.push(result.error);
  return false;
}
