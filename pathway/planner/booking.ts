/**
 * Booking windows (`booking:` on a task): the clinical window a booked time must fall in, such as
 * NT 11+0–13+6. The journey's validator refuses a booking outside it (or in the past) when the
 * step says `reject`; otherwise the booking stands and the planner triggers the step's review.
 */
import type { CompiledPathway, CompiledStep, TaskStep } from '../model/compiled.ts';
import type { JourneyState, OccurrenceRecord } from '../model/journey.ts';
import { buildContext, resolveRef, type PlanContext } from './context.ts';
import { formatTime, parseTime } from './time.ts';

export interface BookingWindow {
  from: number;
  until: number;
}

/** The window of a booking step as the anchors stand; null while one is unknown. */
export function windowIn(ctx: PlanContext, booking: NonNullable<TaskStep['booking']>): BookingWindow | null {
  const from = resolveRef(ctx, booking.from, 'start');
  const until = resolveRef(ctx, booking.until, 'end');
  return from === null || until === null ? null : { from, until };
}

/** Whether a completion books a time outside its step's window (false when nothing can be said). */
export function bookedOutside(ctx: PlanContext, step: CompiledStep, rec: OccurrenceRecord): boolean {
  if (step.kind !== 'task' || !step.booking) return false;
  const value = rec.data?.[step.booking.field];
  const at = typeof value === 'string' ? parseTime(value, ctx.offset)?.ms : undefined;
  const window = windowIn(ctx, step.booking);
  return at !== undefined && window !== null && (at < window.from || at > window.until);
}

/**
 * Checks a time about to be booked: a text saying why it cannot stand (in the past, or outside a
 * `reject` window), a note that it is outside a reviewed window, or null when it is fine.
 */
export function checkBooking(
  pathway: CompiledPathway,
  state: JourneyState,
  nowIso: string,
  step: CompiledStep,
  value: unknown,
): { refuse?: string; review?: string } | null {
  if (step.kind !== 'task' || !step.booking || typeof value !== 'string') return null;
  const offset = pathway.timezone.offsetMinutes;
  const ctx = buildContext(pathway, state, nowIso);
  const at = parseTime(value, offset)?.ms;
  if (at === undefined) return null;
  // A booking is for a visit to come; a minute of clock skew is allowed.
  if (at < ctx.now - 60_000) return { refuse: `${step.booking.field} ${value} is in the past (now ${formatTime(ctx.now, offset)})` };
  const window = windowIn(ctx, step.booking);
  if (!window || (at >= window.from && at <= window.until)) return null;
  const text = `${step.booking.field} ${value} is outside the window of '${step.title ?? step.id}' (${formatTime(window.from, offset)} – ${formatTime(window.until, offset)})`;
  return step.booking.outside === 'reject' ? { refuse: `${text}; book a time inside it` } : { review: text };
}
