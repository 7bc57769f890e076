/**
 * A scenario for a projected journey: what staff and the patient do, and what happens to her,
 * beyond "everything is done the moment it is due". `carepath preview --scenario` reads one from
 * a file; the program tests use the same mechanism.
 */
import type { DataValue, JourneyState, OccurrenceRecord } from '../model/journey.ts';
import { parseClock, parseDuration } from './duration.ts';
import { MINUTE, formatTime, parseTime } from './time.ts';

/** How the people responsible answer one step's occurrences (all of them, or `#n` ones). */
export interface StepResponse {
  /** `at-once` (default), `never` (left open), or a delay after issue such as `2d` or `3h`. */
  complete?: 'at-once' | 'never' | string;
  /**
   * Data a task produces. A text `+10d` or `+10d 09:30` is a time after the completion (that
   * day at that clock time); other values are kept as given (`2027-09-01T09:30:00+08:00`).
   */
  data?: Record<string, DataValue>;
  /** Questionnaire answers by item id (scores); unlisted items count 0. */
  answers?: Record<string, number>;
  /** An approval's decision (default true). */
  approved?: boolean;
}

/** Something that happens at a time: an event, an anchor correction, a variable, a home reading. */
export type ScenarioChange =
  | { at: string; event: string }
  | { at: string; anchor: string; value: string }
  | { at: string; variable: string; value: boolean | number | string }
  | { at: string; reading: { metric: string; values: Record<string, number | boolean> } };

export interface Scenario {
  /** By step id, or by occurrence key (`book_nt#1`), which wins. */
  steps?: Record<string, StepResponse>;
  changes?: ScenarioChange[];
}

/** Minutes of a duration such as `1w2d`, `3h`, `30min` (the pathway language's syntax); null if malformed. */
export function durationMinutes(text: string): number | null {
  return parseDuration(text.trim())?.minutes ?? null;
}

/** The response to one occurrence: its key's own, else its step's, else "done at once". */
export function responseFor(scenario: Scenario | undefined, key: string, stepId: string): StepResponse {
  return scenario?.steps?.[key] ?? scenario?.steps?.[stepId] ?? {};
}

/**
 * When an issued occurrence is completed under `response` (null: never), and with what record.
 * `issued` is epoch milliseconds; times in the record are ISO with the pathway's offset.
 */
export function completion(response: StepResponse, kind: string, issued: number, offset: number): { at: number; patch: OccurrenceRecord } | null {
  if (response.complete === 'never') return null;
  const delay = response.complete === undefined || response.complete === 'at-once' ? 0 : durationMinutes(response.complete);
  if (delay === null) throw new Error(`scenario: 'complete' must be at-once, never or a duration such as 2d, not '${response.complete}'`);
  const at = issued + delay * MINUTE;
  const patch: OccurrenceRecord = { completedAt: formatTime(at, offset) };
  if (kind === 'approval') patch.data = { approved: response.approved ?? true };
  else if (kind === 'questionnaire' && response.answers) patch.data = { items: { ...response.answers } };
  else if (response.data) patch.data = Object.fromEntries(Object.entries(response.data).map(([k, v]) => [k, relativeValue(v, at, offset)]));
  return { at, patch };
}

/** `+10d` or `+10d 09:30` after `from`; anything else unchanged. */
function relativeValue(value: DataValue, from: number, offset: number): DataValue {
  if (typeof value !== 'string' || !value.startsWith('+')) return value;
  const [span, clock] = value.slice(1).trim().split(/\s+/);
  const minutes = durationMinutes(span ?? '');
  if (minutes === null) throw new Error(`scenario: '${value}' is not a time after completion such as +10d or +10d 09:30`);
  let t = from + minutes * MINUTE;
  if (clock) {
    const minutes = parseClock(clock);
    if (minutes === null) throw new Error(`scenario: '${value}' has a malformed clock time (HH:MM)`);
    t = parseTime(formatTime(t, offset).slice(0, 10), offset)!.ms + minutes * MINUTE;
  }
  return formatTime(t, offset);
}

/** Adds the scenario's events to a state, so that the planner knows them ahead (as a preview does). */
export function withScenarioEvents(state: JourneyState, scenario: Scenario | undefined): JourneyState {
  const events = (scenario?.changes ?? []).flatMap((c, i) => ('event' in c ? [{ id: `scenario-${i + 1}`, name: c.event, at: c.at }] : []));
  return events.length ? { ...state, events: [...(state.events ?? []), ...events] } : state;
}
