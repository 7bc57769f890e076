/**
 * An anchor's plausible window: where its value may lie relative to the enrolment day, so that a
 * mistyped year (an LMP of 1900 or 3000) is refused instead of planning a journey that never ends.
 * Used alike at enrolment (API) and by the journey's update validators (workflow). Pure.
 */
import type { CompiledAnchor, CompiledPathway } from '../model/compiled.ts';
import { formatDuration } from './duration.ts';
import { DAY, formatDate, MINUTE, parseTime, startOfLocalDay } from './time.ts';

/** The window of an anchor whose pathway declares none: three years either side of enrolment. */
export const DEFAULT_PLAUSIBLE = { before: 156 * 7 * 1440, after: 156 * 7 * 1440 } as const;

/** The anchor's window in minutes before and after the enrolment day. */
export function plausibleWindow(anchor: CompiledAnchor): { before: number; after: number } {
  return anchor.plausible ?? DEFAULT_PLAUSIBLE;
}

/** Why `value` of anchor `name` lies outside its plausible window around `enrolledAt`, or null when it does not. */
export function anchorPlausibilityProblem(pathway: CompiledPathway, name: string, value: string, enrolledAt: string): string | null {
  const anchor = pathway.anchors[name];
  const offset = pathway.timezone.offsetMinutes;
  const at = parseTime(value, offset);
  const enrolled = parseTime(enrolledAt, offset);
  if (!anchor || anchor.fixed !== undefined || !at || !enrolled) return null;
  const window = plausibleWindow(anchor);
  const day = startOfLocalDay(enrolled.ms, offset);
  const earliest = day - window.before * MINUTE;
  const latest = day + DAY + window.after * MINUTE;
  if (at.ms >= earliest && at.ms < latest) return null;
  return (
    `anchor '${name}' ${value} is not plausible: the pathway expects it from ${formatDate(earliest, offset)} to ${formatDate(latest - 1, offset)} ` +
    `(${formatDuration(window.before)} before to ${formatDuration(window.after)} after the enrolment day ${formatDate(day, offset)})`
  );
}
