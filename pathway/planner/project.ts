/**
 * Timeline projection for `carepath preview`: runs the real planner in a simulated journey where
 * every due action is carried out and completed the moment it is due. Because it is the same
 * planner the workflow runs, the preview shows what will run.
 */
import type { CompiledPathway } from '../model/compiled.ts';
import type { JourneyState, OccurrenceRecord, SkipReason } from '../model/journey.ts';
import type { CompiledStep, StepKind, Urgency } from '../model/compiled.ts';
import { ageLabel } from './age.ts';
import { buildContext, buildContextAt, compareText, resolveRef } from './context.ts';
import { Planner } from './planner.ts';
import { completion, responseFor, withScenarioEvents, type Scenario } from './scenario.ts';
import { formatTime, parseTime, TIME_LIMITS } from './time.ts';
import { stepIdOfKey, stepIdOfOccurrence } from '../model/keys.ts';

export interface TimelineEntry {
  /** When it goes out (after quiet hours, pauses, catch-up); for skipped ones, when it was planned. */
  at: string;
  /** When the pathway planned it (differs from `at` when held or caught up). */
  plannedAt?: string;
  key: string;
  step: string;
  kind: StepKind;
  code?: string;
  title?: string;
  stage?: string;
  role?: string;
  channels?: string[];
  /** `channels` is a preference order: the next goes when one has not delivered within this many minutes. */
  fallbackAfter?: number;
  urgency?: Urgency;
  age?: string;
  status: 'planned' | 'skipped' | 'recorded' | 'cancelled';
  /** Why it was skipped, or cancelled by the end of its stage (`stage-ended`). */
  reason?: SkipReason;
}

export interface Projection {
  entries: TimelineEntry[];
  /** Anchors (and the events that set them) assumed at their `estimate`, e.g. delivery at the EDD. */
  estimated: string[];
  /** Steps that never came up, with why (triggered only by rules or events; waiting on data). */
  notProjected: { step: string; why: string }[];
  status: string;
}

export interface ProjectionOptions {
  /** Start of the simulation; defaults to the enrolment time. */
  from?: string;
  /** Stop after this instant; defaults to the end of the journey. */
  until?: string;
  /** Assume anchors that are still unknown happen at their `estimate` (default true). */
  assumeEstimates?: boolean;
  maxIterations?: number;
  /** What staff and the patient do (booked times, items left open, answers) and what happens when. */
  scenario?: Scenario;
}

/** Projects the journey's timeline from its current state. */
export function projectTimeline(pathway: CompiledPathway, initial: JourneyState, options: ProjectionOptions = {}): Projection {
  const offset = pathway.timezone.offsetMinutes;
  const state: JourneyState = structuredCloneJson(withScenarioEvents(initial, options.scenario));
  state.occurrences ??= {};
  const estimated = options.assumeEstimates === false ? [] : assumeEstimates(pathway, state);
  const entries: TimelineEntry[] = recordedEntries(pathway, state);
  const until = options.until ? (parseTime(options.until, offset)?.ms ?? null) : null;
  let now = formatTime(parseTime(options.from ?? state.enrolledAt, offset)?.ms ?? NaN, offset);
  let status = 'active';
  const max = options.maxIterations ?? 20_000;
  const planner = new Planner(pathway, state);
  const changes = scheduledChanges(options.scenario, offset);
  for (let i = 0; i < max; i++) {
    const nowMs = parseTime(now, offset)!.ms;
    while (changes.length && changes[0]!.at <= nowMs) changes.shift()!.apply(planner);
    const p = planner.plan(now);
    status = p.status;
    for (const a of p.due) {
      const step = pathway.steps.find((x) => x.id === a.step)!;
      planner.update(a.key, { issuedAt: now });
      const done = a.type === 'issue' ? completion(responseFor(options.scenario, a.key, a.step), step.kind, nowMs, offset) : { at: nowMs, patch: {} };
      if (done && done.at <= nowMs) planner.update(a.key, done.patch);
      else if (done) insertChange(changes, { at: done.at, apply: (pl) => completeIfOpen(pl, a.key, done.patch) });
      // Shown when it actually goes: a catch-up runs at `now`, later than planned.
      const entry: TimelineEntry = { at: now, plannedAt: a.plannedAt, key: a.key, step: a.step, kind: a.kind, urgency: a.urgency, status: 'planned' };
      copyDefined(entry, { code: a.code, title: a.title, stage: a.stage, role: a.role, channels: a.channels, fallbackAfter: a.fallbackAfter });
      entries.push(entry);
    }
    for (const s of p.skipped) {
      planner.update(s.key, { skipped: s.reason });
      const step = pathway.steps.find((x) => x.id === s.step)!;
      const entry: TimelineEntry = {
        at: s.plannedAt,
        plannedAt: s.plannedAt,
        key: s.key,
        step: s.step,
        kind: step.kind,
        urgency: step.urgency,
        status: 'skipped',
        reason: s.reason,
      };
      copyDefined(entry, { code: step.code, title: step.title, stage: step.stage, ...who(step) });
      entries.push(entry);
    }
    for (const key of p.cancel) {
      planner.update(key, { cancelledAt: now });
      const step = pathway.steps.find((x) => x.id === stepIdOfKey(key))!;
      const entry: TimelineEntry = { at: now, key, step: step.id, kind: step.kind, urgency: step.urgency, status: 'cancelled' };
      copyDefined(entry, { code: step.code, title: step.title, stage: step.stage, reason: p.cancelReasons?.[key]?.reason, ...who(step) });
      entries.push(entry);
    }
    if (p.due.length || p.skipped.length || p.cancel.length) continue;
    const wake = p.nextWakeAt ? parseTime(p.nextWakeAt, offset)!.ms : Infinity;
    const next = Math.min(wake, changes[0]?.at ?? Infinity);
    if (next === Infinity) break;
    if (until !== null && next > until) break;
    now = formatTime(Math.max(next, nowMs + 1_000), offset);
  }
  const final = buildContext(pathway, state, now);
  for (const e of entries) {
    const ms = parseTime(e.at, offset)!.ms;
    const age = ageLabel(pathway, final.anchors, ms);
    if (age) e.age = age;
    if (!e.stage) {
      const stage = stageOf(pathway, final, ms);
      if (stage) e.stage = stage;
    }
  }
  entries.sort((a, b) => compareText(a.at, b.at) || compareText(a.key, b.key));
  return { entries, estimated, notProjected: notProjected(pathway, final, entries), status };
}

interface Change {
  at: number;
  apply: (planner: Planner) => void;
}

/** The scenario's corrections, variables and readings, in time order (its events are in the state). */
function scheduledChanges(scenario: Scenario | undefined, offset: number): Change[] {
  const out: Change[] = [];
  (scenario?.changes ?? []).forEach((c, i) => {
    const at = parseTime(c.at, offset)?.ms;
    if (at === undefined) throw new Error(`scenario: change ${i + 1} has no valid time 'at': '${c.at}'`);
    if ('anchor' in c) insertChange(out, { at, apply: (p) => p.setAnchor(c.anchor, c.value) });
    else if ('variable' in c) insertChange(out, { at, apply: (p) => p.setVariable(c.variable, c.value) });
    else if ('reading' in c)
      insertChange(out, { at, apply: (p) => p.addReading({ id: `scenario-${i + 1}`, metric: c.reading.metric, at: c.at, values: c.reading.values }) });
  });
  return out;
}

function insertChange(list: Change[], change: Change): void {
  let i = list.length;
  while (i > 0 && list[i - 1]!.at > change.at) i--;
  list.splice(i, 0, change);
}

/** A delayed completion lands only if nothing closed the item meanwhile (an exit, a stage's end). */
function completeIfOpen(planner: Planner, key: string, patch: OccurrenceRecord): void {
  const rec = planner.record(key);
  if (rec && !rec.completedAt && !rec.cancelledAt && !rec.skipped) planner.update(key, patch);
}

function assumeEstimates(pathway: CompiledPathway, state: JourneyState): string[] {
  const out: string[] = [];
  const ctx = buildContext(pathway, state, state.enrolledAt);
  for (const [name, anchor] of Object.entries(pathway.anchors).sort(([a], [b]) => compareText(a, b))) {
    if (!anchor.estimate || ctx.anchors.has(name)) continue;
    if (anchor.setBy && (state.events ?? []).some((e) => e.name === anchor.setBy)) continue;
    const ms = resolveRef(ctx, anchor.estimate, { clock: pathway.defaultTime });
    if (ms === null) continue;
    const iso = formatTime(ms, ctx.offset);
    if (anchor.setBy) {
      state.events = [...(state.events ?? []), { id: `estimated-${anchor.setBy}`, name: anchor.setBy, at: iso }];
      out.push(`${name} (event ${anchor.setBy} at ${iso})`);
    } else {
      state.anchors[name] = anchor.type === 'date' ? iso.slice(0, 10) : iso;
      out.push(`${name} = ${state.anchors[name]}`);
    }
  }
  return out;
}

function recordedEntries(pathway: CompiledPathway, state: JourneyState): TimelineEntry[] {
  const out: TimelineEntry[] = [];
  for (const [key, rec] of Object.entries(state.occurrences ?? {})) {
    const step = pathway.steps.find((s) => s.id === stepIdOfOccurrence(key));
    const at = rec.completedAt ?? rec.issuedAt;
    if (!step || !at) continue;
    const entry: TimelineEntry = { at, key, step: step.id, kind: step.kind, urgency: step.urgency, status: 'recorded' };
    copyDefined(entry, { code: step.code, title: step.title, stage: step.stage, ...who(step) });
    out.push(entry);
  }
  return out;
}

function stageOf(pathway: CompiledPathway, ctx: ReturnType<typeof buildContext>, ms: number): string | undefined {
  for (const s of pathway.stages) {
    const from = resolveRef(ctx, s.from, 'start');
    const until = resolveRef(ctx, s.until, 'end');
    if (from !== null && until !== null && ms >= from && ms <= until) return s.id;
  }
  return undefined;
}

function notProjected(pathway: CompiledPathway, ctx: ReturnType<typeof buildContext>, entries: TimelineEntry[]): { step: string; why: string }[] {
  const seen = new Set(entries.map((e) => e.step));
  const out: { step: string; why: string }[] = [];
  for (const step of pathway.steps) {
    if (seen.has(step.id)) continue;
    const t = step.timing;
    const refs = [t.at, t.earliest, t.latest, t.until].filter((r) => r !== undefined);
    const known = refs.every((r) => r.base === 'anchor' && ctx.anchors.has(r.anchor));
    // A scheduled step whose anchors are all known but that never came up falls after the end
    // (e.g. a holiday greeting on a calendar date after this patient's span).
    let why = known ? 'its time falls after the journey ends' : 'its anchors are not known';
    if (step.origin.type === 'trigger') why = 'only when a rule or event triggers it';
    else if (step.origin.type === 'dependent') why = `after ${step.origin.source} is completed with the data it needs`;
    out.push({ step: step.id, why });
  }
  return out;
}

function who(step: CompiledStep): { role?: string; channels?: string[] } {
  const role = 'role' in step ? step.role : undefined;
  const channels = 'channels' in step && step.channels.length ? step.channels : undefined;
  return { ...(role ? { role } : {}), ...(channels ? { channels } : {}) };
}

function copyDefined<T extends object>(target: T, values: Partial<T>): void {
  for (const [k, v] of Object.entries(values)) if (v !== undefined) (target as Record<string, unknown>)[k] = v;
}

function structuredCloneJson<T>(value: T): T {
  return JSON.parse(JSON.stringify(value)) as T;
}

/** Start and end of the journey's span for the given anchors (null while an anchor is unknown). */
export function spanOf(pathway: CompiledPathway, anchors: Record<string, string>): { start: string | null; end: string | null } {
  // Enrolled at the earliest time, seen from the latest the platform handles: every event has happened.
  const ctx = buildContextAt(pathway, { enrolledAt: `${TIME_LIMITS.minYear}-01-01T00:00:00Z`, anchors }, Date.UTC(TIME_LIMITS.maxYear, 11, 31));
  const fmt = (ms: number | null) => (ms === null ? null : formatTime(ms, ctx.offset));
  return { start: fmt(ctx.spanStart), end: fmt(ctx.spanEnd) };
}
