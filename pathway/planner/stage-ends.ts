/**
 * Stages an event ends (`ends_stages`): once a birth is recorded nothing of pregnancy is issued
 * and what is still open of it is cancelled, however early the birth came.
 *
 * What belongs to an ended stage:
 * - an occurrence of a step that names the stage (`stage:`);
 * - otherwise a scheduled occurrence planned inside the stage as it was expected before the event
 *   (the anchor the event sets at its estimate: delivery at the EDD) or as it is now, unless its
 *   step is timed from what the event sets (`delivery + 3d` comes after the birth, however the
 *   stages overlap);
 * - a dependent occurrence whose source belongs (the notice of an antenatal appointment booked
 *   for a date after the birth);
 * - never a triggered occurrence of a step without `stage:`: an escalation of a reading or a
 *   call a score asked for is care for a person, not part of a phase.
 */
import type { CompiledPathway, CompiledStep, TimeRef } from '../model/compiled.ts';
import type { CancelReason } from '../model/journey.ts';
import { buildContextAt, resolveRef, type HappenedEvent, type PlanContext } from './context.ts';
import type { Occurrence } from './occurrences.ts';
import { stageSpans } from './stages.ts';
import { formatDate, formatTime } from './time.ts';

interface Ending {
  event: HappenedEvent;
  /** The listed stages, each with the hull of its expected and current span. */
  spans: { id: string; from: number; until: number }[];
  stages: Set<string>;
  /** Steps timed from the anchor the event sets (or one derived from it). */
  after: ReadonlySet<string>;
}

/** Which occurrences the stage-ending events that have happened by now have closed, and why. */
export class StageEnds {
  private readonly endings: Ending[] = [];

  constructor(
    ctx: PlanContext,
    currentSpans: ReturnType<typeof stageSpans>,
    timedAfter: (event: string) => ReadonlySet<string>,
    private readonly sourceOf: (key: string) => Occurrence | undefined,
  ) {
    const seen = new Set<string>();
    for (const event of ctx.events) {
      const def = ctx.pathway.events[event.name];
      if (!def?.endsStages?.length || seen.has(event.name)) continue;
      seen.add(event.name);
      const expected = def.setsAnchor ? expectedSpans(ctx, def.setsAnchor, event.name) : currentSpans;
      const spans = def.endsStages.flatMap((id) => {
        const hull = [expected, currentSpans].flatMap((list) => list.filter((s) => s.id === id && s.from !== null && s.until !== null));
        return hull.length ? [{ id, from: Math.min(...hull.map((s) => s.from!)), until: Math.max(...hull.map((s) => s.until!)) }] : [];
      });
      this.endings.push({ event, spans, stages: new Set(def.endsStages), after: timedAfter(event.name) });
    }
  }

  get any(): boolean {
    return this.endings.length > 0;
  }

  /** The ended stage an occurrence belongs to, with the event that ended it. */
  endOf(occ: Occurrence): CancelReason | undefined {
    for (const ending of this.endings) {
      const stage = belongsTo(ending, occ, this.sourceOf);
      if (stage) return { reason: 'stage-ended', stage, event: ending.event.name };
    }
    return undefined;
  }
}

function belongsTo(ending: Ending, occ: Occurrence, sourceOf: (key: string) => Occurrence | undefined, depth = 0): string | undefined {
  const step = occ.step;
  if (step.stage) return ending.stages.has(step.stage) ? step.stage : undefined;
  if (occ.triggered || depth > 32) return undefined;
  if (step.origin.type === 'dependent') {
    const source = occ.source ? sourceOf(occ.source) : undefined;
    return source ? belongsTo(ending, source, sourceOf, depth + 1) : undefined;
  }
  if (ending.after.has(step.id)) return undefined;
  return ending.spans.find((s) => occ.plannedAt >= s.from && occ.plannedAt <= s.until)?.id;
}

/** The stage spans as they were expected before `event` set `anchor`: the anchor at its estimate. */
function expectedSpans(ctx: PlanContext, anchor: string, event: string): ReturnType<typeof stageSpans> {
  const def = ctx.pathway.anchors[anchor];
  if (!def?.estimate || ctx.state.anchors[anchor] !== undefined) return stageSpans(ctx);
  const events = (ctx.state.events ?? []).filter((e) => e.name !== event);
  const before = buildContextAt(ctx.pathway, { ...ctx.state, events }, ctx.now);
  const at = resolveRef(before, def.estimate, 'start');
  if (at === null) return stageSpans(ctx);
  const value = def.type === 'date' ? formatDate(at, ctx.offset) : formatTime(at, ctx.offset);
  return stageSpans(buildContextAt(ctx.pathway, { ...ctx.state, events, anchors: { ...ctx.state.anchors, [anchor]: value } }, ctx.now));
}

/**
 * Per event that ends stages, the steps timed from what it sets: scheduled steps whose `at` (or
 * `earliest`) rests on the anchor the event sets or one derived from it, and the steps that
 * follow those.
 */
export function stepsTimedAfter(pathway: CompiledPathway): Map<string, Set<string>> {
  const out = new Map<string, Set<string>>();
  for (const [name, event] of Object.entries(pathway.events)) {
    if (!event.endsStages?.length) continue;
    const anchors = new Set<string>(event.setsAnchor ? [event.setsAnchor] : []);
    for (let grew = anchors.size > 0; grew;) {
      grew = false;
      for (const [id, a] of Object.entries(pathway.anchors)) {
        if (!anchors.has(id) && a.derive?.base === 'anchor' && anchors.has(a.derive.anchor)) {
          anchors.add(id);
          grew = true;
        }
      }
    }
    const byId = new Map(pathway.steps.map((s) => [s.id, s]));
    const after = new Set<string>();
    const isAfter = (step: CompiledStep, depth = 0): boolean => {
      const ref: TimeRef | undefined = step.timing.at ?? step.timing.earliest;
      if (ref?.base === 'anchor') return anchors.has(ref.anchor);
      if (step.origin.type === 'dependent' && depth < 32) {
        const source = byId.get(step.origin.source);
        return source ? isAfter(source, depth + 1) : false;
      }
      return false;
    };
    for (const step of pathway.steps) if (isAfter(step)) after.add(step.id);
    out.set(name, after);
  }
  return out;
}
