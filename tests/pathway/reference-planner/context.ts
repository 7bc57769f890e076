/**
 * The facts a plan is computed from, derived once per call from the journey state: anchor
 * instants, events that have happened by `now`, pauses, the end of the journey.
 */
import type { CompiledPathway, TimeRef } from '../../../pathway/model/compiled.ts';
import type { JourneyState, OccurrenceRecord } from '../../../pathway/model/journey.ts';
import { DAY, MINUTE, parseTime, startOfLocalDay } from '../../../pathway/planner/time.ts';

export interface HappenedEvent {
  id: string;
  name: string;
  ms: number;
}

export interface PlanContext {
  pathway: CompiledPathway;
  state: JourneyState;
  offset: number;
  now: number;
  enrolledAt: number;
  anchors: Map<string, number>;
  events: HappenedEvent[];
  /** Times of events recorded ahead of time (e.g. in a preview); each is a wake-up. */
  futureEvents: number[];
  /** Paused intervals; an open pause has `end = Infinity`. */
  pauses: { start: number; end: number }[];
  /** The first journey-ending event, if any. */
  ended?: HappenedEvent;
  spanStart: number | null;
  spanEnd: number | null;
  occurrences: Record<string, OccurrenceRecord>;
}

/** Builds the context; throws on malformed times in the state (a caller bug, not patient input). */
export function buildContext(pathway: CompiledPathway, state: JourneyState, nowIso: string): PlanContext {
  const offset = pathway.timezone.offsetMinutes;
  const now = mustParse(nowIso, offset, 'now');
  const enrolledAt = mustParse(state.enrolledAt, offset, 'enrolledAt');
  const known = (state.events ?? [])
    .map((e, i) => ({ id: e.id ?? String(i + 1), name: e.name, ms: mustParse(e.at, offset, `event ${e.name}`) }))
    .filter((e) => pathway.events[e.name] !== undefined)
    .sort((a, b) => a.ms - b.ms || compareText(a.id, b.id));
  const events = known.filter((e) => e.ms <= now);
  const ctx: PlanContext = {
    pathway,
    state,
    offset,
    now,
    enrolledAt,
    anchors: new Map(),
    events,
    futureEvents: known.filter((e) => e.ms > now).map((e) => e.ms),
    pauses: pausesOf(pathway, events),
    spanStart: null,
    spanEnd: null,
    occurrences: state.occurrences ?? {},
  };
  const ended = events.find((e) => pathway.events[e.name]?.endsJourney);
  if (ended) ctx.ended = ended;
  resolveAnchors(ctx);
  ctx.spanStart = resolveRef(ctx, pathway.span.start, 'start');
  ctx.spanEnd = resolveRef(ctx, pathway.span.end, 'end');
  return ctx;
}

/** How a date-only reference becomes an instant: day start, a clock time, or the day's last moment. */
export type RefMode = 'start' | 'end' | { clock: number };

export interface RefSource {
  completedAt?: number;
  data?: OccurrenceRecord['data'];
  triggerAt?: number;
}

/** Resolves a time reference to an instant, or null while its base is unknown. */
export function resolveRef(ctx: PlanContext, ref: TimeRef, mode: RefMode, source: RefSource = {}): number | null {
  let base: number | null = null;
  if (ref.base === 'anchor') base = ctx.anchors.get(ref.anchor) ?? null;
  else if (ref.base === 'done') base = source.completedAt ?? null;
  else if (ref.base === 'trigger') base = source.triggerAt ?? null;
  else {
    const value = source.data?.[ref.field];
    if (typeof value === 'string') base = parseTime(value, ctx.offset)?.ms ?? null;
  }
  if (base === null) return null;
  const t = base + ref.offset * MINUTE;
  if (!ref.dateOnly) return t;
  const day = startOfLocalDay(t, ctx.offset);
  if (mode === 'start') return day;
  if (mode === 'end') return day + DAY - 1;
  return day + mode.clock * MINUTE;
}

function resolveAnchors(ctx: PlanContext): void {
  const { pathway } = ctx;
  const resolving = new Set<string>();
  const resolve = (name: string): number | null => {
    if (ctx.anchors.has(name)) return ctx.anchors.get(name)!;
    const anchor = pathway.anchors[name];
    if (!anchor || resolving.has(name)) return null;
    resolving.add(name);
    let value: number | null = null;
    // A calendar date is the same in every journey: nothing given or corrected overrides it.
    const given = anchor.fixed ?? ctx.state.anchors[name];
    if (given !== undefined) value = parseTime(given, ctx.offset)?.ms ?? null;
    if (value === null && anchor.setBy) {
      const event = [...ctx.events].reverse().find((e) => e.name === anchor.setBy);
      if (event) value = event.ms;
    }
    if (value === null && anchor.derive) {
      const base = anchor.derive.base === 'anchor' ? resolve(anchor.derive.anchor) : null;
      if (base !== null) value = base + anchor.derive.offset * MINUTE;
    }
    if (value !== null && anchor.type === 'date') value = startOfLocalDay(value, ctx.offset);
    resolving.delete(name);
    if (value !== null) ctx.anchors.set(name, value);
    return value;
  };
  for (const name of Object.keys(pathway.anchors).sort()) resolve(name);
}

function pausesOf(pathway: CompiledPathway, events: HappenedEvent[]): { start: number; end: number }[] {
  const pauses: { start: number; end: number }[] = [];
  let open: number | null = null;
  for (const e of events) {
    const def = pathway.events[e.name];
    if (def?.pauses && open === null) open = e.ms;
    else if (def?.resumes && open !== null) {
      pauses.push({ start: open, end: e.ms });
      open = null;
    }
  }
  if (open !== null) pauses.push({ start: open, end: Infinity });
  return pauses;
}

function mustParse(text: string, offset: number, what: string): number {
  const parsed = parseTime(text, offset);
  if (!parsed) throw new Error(`planner: ${what} is not an ISO 8601 time: '${text}'`);
  return parsed.ms;
}

/** Code-unit order, independent of locale. */
export function compareText(a: string, b: string): number {
  return a < b ? -1 : a > b ? 1 : 0;
}
