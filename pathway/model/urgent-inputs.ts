import type { CompiledPathway, CompiledStep } from './compiled.ts';

/** Something a person sends a running journey that the pathway may answer with urgent work. */
export type JourneyInput = { kind: 'event'; name: string } | { kind: 'reading'; metric: string } | { kind: 'answers'; stepId: string };

/**
 * Whether the input can set off urgent work: a step of urgency `urgent` (an urgent escalation,
 * an urgent message) among the steps it triggers — an event's `triggers`, the rules of the
 * monitors of a metric or of the questionnaire answered (undetermined readings included).
 * Such an input is handled ahead of routine work (enrollment/journey-updates.ts). Without the
 * pathway at hand the answer is yes: ranking an input first costs little, delaying an emergency much.
 */
export function mayTriggerUrgentWork(pathway: CompiledPathway | undefined, input: JourneyInput): boolean {
  if (!pathway) return true;
  return triggeredBy(pathway, input).some((id) => pathway.steps.find((s) => s.id === id)?.urgency === 'urgent');
}

function triggeredBy(pathway: CompiledPathway, input: JourneyInput): string[] {
  switch (input.kind) {
    case 'event':
      return pathway.events[input.name]?.triggers ?? [];
    case 'reading':
      return pathway.steps.filter((s) => s.kind === 'monitor' && s.metric === input.metric).flatMap(ruleTriggers);
    case 'answers':
      return pathway.steps.filter((s) => s.id === input.stepId).flatMap(ruleTriggers);
  }
}

function ruleTriggers(step: CompiledStep): string[] {
  if (step.kind === 'monitor') return [...step.rules.flatMap((r) => r.triggers), ...(step.incomplete ?? [])];
  if (step.kind === 'questionnaire') return step.rules.flatMap((r) => r.triggers);
  return [];
}
