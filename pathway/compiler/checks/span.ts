/**
 * Static timing checks against the pathway's span. Anchors are placed relative to the span's
 * start anchor through `derive` and `estimate` (e.g. edd = lmp + 280d, delivery ≈ edd); every
 * reference whose position is known this way must fall inside the span, and recurrences with a
 * known length must stay below a sane number of occurrences.
 *
 * Calendar dates are fixed days while the span moves with each patient, so a calendar date has a
 * known position only when the span itself starts on a calendar date; otherwise whether it falls
 * inside a journey is decided when the journey runs (the planner skips it or plans nothing).
 */
import type { TimeRef } from '../../model/compiled.ts';
import { str, sub, type Analysis } from '../analysis.ts';
import { parseClock, parseDuration, formatDuration } from '../../planner/duration.ts';
import type { Path } from '../source.ts';

const MAX_OCCURRENCES = 1_000;

export function checkSpan(a: Analysis): void {
  const start = a.ref(['span', 'start']);
  const end = a.ref(['span', 'end']);
  if (!start || start.base !== 'anchor') return;
  const positions = anchorPositions(a, start.anchor);
  const defaultClock = parseClock(str(a.draft.root, 'default_time') ?? '09:00') ?? 540;
  const spanStart = position(positions, start, 'start', 0);
  const spanEnd = end ? position(positions, end, 'end', 0) : null;
  if (spanStart === null) return;
  if (spanEnd !== null && spanEnd < spanStart) {
    a.report('offset-outside-span', `the span ends (${text(a, ['span', 'end'])}) before it starts (${text(a, ['span', 'start'])})`, ['span', 'end']);
    return;
  }
  const inside = (path: Path, mode: 'start' | 'end' | 'clock', clock: number) => {
    const ref = a.ref(path);
    if (!ref) return null;
    const t = position(positions, ref, mode, clock);
    if (t === null) return null;
    if (t < spanStart) {
      a.report('offset-outside-span', `'${text(a, path)}' falls ${distance(spanStart, t)} before the span starts (${text(a, ['span', 'start'])})`, path);
    } else if (spanEnd !== null && t > spanEnd) {
      a.report('offset-outside-span', `'${text(a, path)}' falls ${distance(t, spanEnd)} after the span ends (${text(a, ['span', 'end'])})`, path);
    }
    return t;
  };
  for (const stage of a.draft.stages) {
    inside([...stage.path, 'from'], 'start', 0);
    inside([...stage.path, 'until'], 'end', 0);
  }
  for (const step of a.draft.steps) {
    const timing = sub(step.def, 'timing');
    const clock = parseClock(str(timing, 'time') ?? '') ?? defaultClock;
    const tp = [...step.path, 'timing'];
    const at = inside([...tp, 'at'], 'clock', clock) ?? inside([...tp, 'earliest'], 'clock', clock);
    if (timing['at'] !== undefined) inside([...tp, 'earliest'], 'clock', clock);
    inside([...tp, 'latest'], 'end', clock);
    const until = inside([...tp, 'until'], 'end', clock);
    const every = parseDuration(str(timing, 'every') ?? '')?.minutes;
    if (!every) continue;
    const count = typeof timing['count'] === 'number' ? timing['count'] : Infinity;
    const bound = until ?? spanEnd;
    const byTime = at !== null && bound !== null ? Math.floor((bound - at) / every) + 1 : Infinity;
    const n = Math.min(count, byTime);
    if (n > MAX_OCCURRENCES && n !== Infinity) {
      a.report('recurrence-unbounded', `this recurrence would plan ${n} occurrences (limit ${MAX_OCCURRENCES}); use a longer 'every' or a shorter range`, [
        ...tp,
        'every',
      ]);
    }
  }
}

/** A readable distance: whole days when both ends are on different days, else exact. */
function distance(later: number, earlier: number): string {
  const days = Math.floor(later / 1_440) - Math.floor(earlier / 1_440);
  return days > 0 ? formatDuration(days * 1_440) : formatDuration(later - earlier);
}

/** Minutes from the root anchor to each anchor whose distance is known statically. */
function anchorPositions(a: Analysis, root: string): Map<string, number> {
  const out = new Map<string, number>([[root, 0]]);
  const rootDay = calendarDay(a, root);
  if (rootDay !== undefined) {
    for (const c of a.draft.calendar) {
      const day = calendarDay(a, c.name);
      if (day !== undefined) out.set(c.name, (day - rootDay) * 1_440);
    }
  }
  const visiting = new Set<string>();
  const visit = (name: string): number | undefined => {
    if (out.has(name)) return out.get(name);
    if (visiting.has(name)) return undefined;
    visiting.add(name);
    const anchor = a.anchor(name);
    for (const field of ['derive', 'estimate']) {
      const ref = anchor ? a.ref([...anchor.path, field]) : undefined;
      if (ref?.base !== 'anchor') continue;
      const base = visit(ref.anchor);
      if (base !== undefined) {
        out.set(name, base + ref.offset);
        break;
      }
    }
    visiting.delete(name);
    return out.get(name);
  };
  for (const anchor of a.draft.anchors) visit(anchor.name);
  return out;
}

/** Days since 1970-01-01 of a calendar date, when `name` is one with a valid date. */
function calendarDay(a: Analysis, name: string): number | undefined {
  const m = /^(\d{4})-(\d{2})-(\d{2})$/.exec(str(a.calendarDate(name)?.def ?? {}, 'date') ?? '');
  return m ? Date.UTC(Number(m[1]), Number(m[2]) - 1, Number(m[3])) / 86_400_000 : undefined;
}

function position(positions: Map<string, number>, ref: TimeRef, mode: 'start' | 'end' | 'clock', clock: number): number | null {
  if (ref.base !== 'anchor') return null;
  const base = positions.get(ref.anchor);
  if (base === undefined) return null;
  const t = base + ref.offset;
  if (!ref.dateOnly) return t;
  return mode === 'start' ? t : mode === 'end' ? t + 1_439 : t + clock;
}

function text(a: Analysis, path: Path): string {
  let cur: unknown = a.draft.root;
  for (const seg of path) cur = cur && typeof cur === 'object' ? (cur as Record<string | number, unknown>)[seg] : undefined;
  return typeof cur === 'string' ? cur.trim() : '';
}
