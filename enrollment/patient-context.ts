// Where a patient is in her program, for a worklist line: gestational age, cycle day or days
// since the anchor, from the anchors the API recorded (db/repositories/enrollment-anchors.ts),
// resolved by the planner the journeys run (derived anchors, event-set anchors).
import type { RecordedAnchors } from '../db/repositories/enrollment-anchors.ts';
import { ageLabel } from '../pathway/planner/age.ts';
import { buildContextAt } from '../pathway/planner/context.ts';
import type { CompiledPathway } from '../pathway/planner/index.ts';
import type { JourneyView } from '../workflows/journey-definitions.ts';

/** A patient's place in her program now: `{ style: 'gestational-age', label: '22+3' }`, `CD12`, `D+30`, `产后D+7`. */
export interface PatientAge {
  style: 'gestational-age' | 'cycle-day' | 'days-since' | 'postpartum';
  label: string;
}

/** The age label of an enrolment at `now`, or undefined when the pathway shows none or its anchor is unknown. */
export function patientAge(pathway: CompiledPathway, recorded: RecordedAnchors | undefined, enrolledAt: Date, now: Date): PatientAge | undefined {
  const display = pathway.ageDisplay;
  if (!display || !recorded) return undefined;
  try {
    const state = {
      enrolledAt: enrolledAt.toISOString(),
      anchors: recorded.anchors,
      events: Object.entries(recorded.events).map(([name, at]) => ({ name, at })),
    };
    const ctx = buildContextAt(pathway, state, now.getTime());
    const label = ageLabel(pathway, ctx.anchors, now.getTime());
    if (!label) return undefined;
    return { style: label.startsWith('产后') ? 'postpartum' : display.style, label };
  } catch {
    // A recorded value the pathway version no longer reads: no label rather than no worklist.
    return undefined;
  }
}

/**
 * What a journey's view says of its anchors, as the worklist records them: the anchors given or
 * corrected, and the last time of each event that sets one (the planner reads these two).
 */
export function recordedAnchorsOfJourney(pathway: CompiledPathway | undefined, view: Pick<JourneyView, 'anchors' | 'events'>): RecordedAnchors {
  const events: Record<string, string> = {};
  for (const event of view.events) if (pathway?.events[event.name]?.setsAnchor) events[event.name] = event.at;
  return { anchors: { ...view.anchors }, events };
}
