/**
 * The planner: given a compiled pathway, a journey's state and the current time, says what is
 * due now, what is skipped (and why), what to cancel, and when to wake up next.
 *
 * Pure and deterministic: no I/O, no clock, no randomness, no Intl. Safe inside Temporal's
 * workflow sandbox, and shared with `carepath preview` through `projectTimeline`. A journey that
 * plans again and again keeps one `Planner` (./planner.ts), which carries its work over between
 * calls; this function plans once from scratch.
 */
import type { CompiledPathway } from '../model/compiled.ts';
import type { JourneyState, Plan } from '../model/journey.ts';
import { Planner } from './planner.ts';

/** Computes the plan at `nowIso` (ISO 8601). */
export function plan(pathway: CompiledPathway, state: JourneyState, nowIso: string): Plan {
  return new Planner(pathway, state).plan(nowIso);
}
