/**
 * Expands a pathway's steps into concrete occurrences for one journey: scheduled ones (from
 * anchors, with recurrence), dependent ones (one per occurrence of the step they follow) and
 * triggered ones (by events, questionnaire scores and home readings).
 */
import type { CompiledStep, CompiledExpression, CompiledRule } from '../../../pathway/model/compiled.ts';
import type { OccurrenceRecord } from '../../../pathway/model/journey.ts';
import { compareText, resolveRef, type PlanContext, type RefSource } from './context.ts';
import { evaluateCondition } from '../../../pathway/planner/expressions.ts';
import { scoreAnswers } from '../../../pathway/planner/scoring.ts';
import { MINUTE, parseTime } from '../../../pathway/planner/time.ts';

export interface Occurrence {
  key: string;
  step: CompiledStep;
  plannedAt: number;
  latest: number | null;
  /** Key of what caused it: a source occurrence, `e:<event id>` or `r:<reading id>`. */
  source?: string;
  triggered: boolean;
}

export interface Expansion {
  occurrences: Occurrence[];
  warnings: string[];
}

const MAX_RECURRENCES = 5_000;

/** Lists every occurrence known at `ctx.now` (recurrences up to the first one after now). */
export function expandOccurrences(ctx: PlanContext): Expansion {
  const out: Occurrence[] = [];
  const warnings: string[] = [];
  for (const step of ctx.pathway.steps) {
    if (step.origin.type === 'schedule') out.push(...scheduled(ctx, step));
    else if (step.origin.type === 'dependent') out.push(...dependent(ctx, step, step.origin.source));
  }
  out.push(...triggered(ctx, warnings));
  const seen = new Set<string>();
  const unique = out.filter((o) => (seen.has(o.key) ? false : (seen.add(o.key), true)));
  unique.sort((a, b) => a.plannedAt - b.plannedAt || compareText(a.key, b.key));
  return { occurrences: unique, warnings };
}

/** Current values of the pathway's variables (declared defaults overlaid with the journey's). */
export function variableValues(ctx: PlanContext): Record<string, unknown> {
  const values: Record<string, unknown> = {};
  for (const [name, v] of Object.entries(ctx.pathway.variables)) if (v.default !== undefined) values[name] = v.default;
  return { ...values, ...(ctx.state.variables ?? {}) };
}

function clockOf(ctx: PlanContext, step: CompiledStep): { clock: number } {
  return { clock: step.timing.time ?? ctx.pathway.defaultTime };
}

/** First planned time and window end of an occurrence, or null while a base is unknown. */
function window(ctx: PlanContext, step: CompiledStep, src: RefSource): { at: number; latest: number | null } | null {
  const t = step.timing;
  const clock = clockOf(ctx, step);
  const atRef = t.at ?? t.earliest ?? (step.origin.type === 'trigger' ? ({ base: 'trigger', offset: 0, dateOnly: false } as const) : undefined);
  if (!atRef) return null;
  let at = resolveRef(ctx, atRef, clock, src);
  if (at === null) return null;
  if (t.earliest) {
    const earliest = resolveRef(ctx, t.earliest, clock, src);
    if (earliest === null) return null;
    if (at < earliest) at = earliest;
  }
  const latest = t.latest ? resolveRef(ctx, t.latest, 'end', src) : null;
  if (t.latest && latest === null) return null;
  return { at, latest };
}

function scheduled(ctx: PlanContext, step: CompiledStep): Occurrence[] {
  const w = window(ctx, step, {});
  if (!w) return [];
  const t = step.timing;
  const inSpan = (ms: number) => ctx.spanEnd === null || ms <= ctx.spanEnd;
  if (!t.every) {
    return inSpan(w.at) ? [{ key: `${step.id}#1`, step, plannedAt: w.at, latest: w.latest, triggered: false }] : [];
  }
  const until = t.until ? resolveRef(ctx, t.until, 'end') : null;
  if (t.until && until === null && !t.count && ctx.spanEnd === null) return [];
  const stopAt = ctx.events.find((e) => t.stopOn.includes(e.name))?.ms ?? null;
  const every = t.every * MINUTE;
  const out: Occurrence[] = [];
  for (let n = 0; n < MAX_RECURRENCES; n++) {
    const at = w.at + n * every;
    if (t.count !== undefined && n >= t.count) break;
    if ((until !== null && at > until) || !inSpan(at) || (stopAt !== null && at >= stopAt)) break;
    // Each occurrence's window closes when the next one is planned.
    const latest = Math.min(at + every - 1, w.latest ?? Infinity);
    out.push({ key: `${step.id}#${n + 1}`, step, plannedAt: at, latest, triggered: false });
    if (at > ctx.now) break;
  }
  return out;
}

/** Completed occurrences of `source` (an approval counts only when approved), in key order. */
function completedOf(ctx: PlanContext, source: string): [string, OccurrenceRecord, number][] {
  const prefix = `${source}#`;
  const out: [string, OccurrenceRecord, number][] = [];
  for (const key of Object.keys(ctx.occurrences).sort()) {
    if (!key.startsWith(prefix) || key.includes('/')) continue;
    const rec = ctx.occurrences[key]!;
    if (!rec.completedAt || rec.data?.['approved'] === false) continue;
    const ms = parseTime(rec.completedAt, ctx.offset)?.ms;
    if (ms !== undefined) out.push([key, rec, ms]);
  }
  return out;
}

function dependent(ctx: PlanContext, step: CompiledStep, source: string): Occurrence[] {
  const out: Occurrence[] = [];
  for (const [key, rec, completedAt] of completedOf(ctx, source)) {
    const w = window(ctx, step, { completedAt, data: rec.data });
    if (!w) continue;
    const suffix = key.slice(source.length + 1);
    out.push({ key: `${step.id}#${suffix}`, step, plannedAt: w.at, latest: w.latest, source: key, triggered: false });
  }
  return out;
}

interface Trigger {
  target: string;
  source: string;
  at: number;
}

function triggered(ctx: PlanContext, warnings: string[]): Occurrence[] {
  const triggers: Trigger[] = [];
  const vars = variableValues(ctx);
  for (const e of ctx.events) {
    for (const target of ctx.pathway.events[e.name]?.triggers ?? []) triggers.push({ target, source: `e:${e.id}`, at: e.ms });
  }
  for (const step of ctx.pathway.steps) {
    if (step.kind === 'questionnaire' && step.rules.length > 0) {
      for (const [key, rec, completedAt] of completedOf(ctx, step.id)) {
        const scored = scoreAnswers(ctx.pathway.questionnaires[step.questionnaire], rec.data);
        if (!scored) continue;
        const values = { ...vars, score: scored.score, items: scored.items, band: scored.band ?? '' };
        for (const target of matchRules(step.rules, values, warnings)) triggers.push({ target, source: key, at: completedAt });
      }
    }
    if (step.kind === 'monitor' && step.rules.length > 0) {
      for (const reading of ctx.state.readings ?? []) {
        if (reading.metric !== step.metric) continue;
        const at = parseTime(reading.at, ctx.offset)?.ms;
        if (at === undefined || at > ctx.now) continue;
        const values = { ...vars, ...reading.values };
        for (const target of matchRules(step.rules, values, warnings)) triggers.push({ target, source: `r:${reading.id}`, at });
      }
    }
  }
  const byId = new Map(ctx.pathway.steps.map((s) => [s.id, s]));
  const out: Occurrence[] = [];
  for (const trig of triggers) {
    const step = byId.get(trig.target);
    if (!step) continue;
    const w = window(ctx, step, { triggerAt: trig.at });
    if (!w) continue;
    out.push({ key: `${step.id}#${trig.source}`, step, plannedAt: w.at, latest: w.latest, source: trig.source, triggered: true });
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
