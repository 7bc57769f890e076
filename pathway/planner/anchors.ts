/** Anchor values as a journey knows them now: given, corrected, derived or set by an event. */
import type { CompiledPathway } from '../model/compiled.ts';
import type { JourneyState } from '../model/journey.ts';
import { buildContext } from './context.ts';
import { formatDate, formatTime } from './time.ts';

/**
 * Every anchor that resolves at `nowIso`, formatted as the pathway declares it (`YYYY-MM-DD` for
 * a date, an ISO instant with offset for a date-time). Derived anchors (`edd = lmp + 280d`,
 * `retrieval_at = trigger_at + 36h`) are included; unknown ones are absent.
 */
export function resolvedAnchors(pathway: CompiledPathway, state: JourneyState, nowIso: string): Record<string, string> {
  const ctx = buildContext(pathway, state, nowIso);
  const out: Record<string, string> = {};
  for (const [name, ms] of [...ctx.anchors.entries()].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    const type = pathway.anchors[name]?.type;
    out[name] = type === 'date' ? formatDate(ms, ctx.offset) : formatTime(ms, ctx.offset);
  }
  return out;
}
