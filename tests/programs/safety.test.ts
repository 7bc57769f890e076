/**
 * Safety rules every program shares (clinical-reference §2.1, §2.8): a self-harm answer — EPDS
 * item 10, PHQ-9 item 9, or a reported thought of self-harm — pages the on-duty clinician at
 * once, whatever the hour, in every questionnaire and symptom monitor of every program.
 */
import { describe, expect, it } from 'vitest';
import type { CompiledStep, JourneyState } from '../../pathway/planner/index.ts';
import { plan, previewState, program, PROGRAMS, type ProgramName } from './helpers.ts';

/** The item of each scale that asks about self-harm. */
const SELF_HARM_ITEM: Record<string, string> = { epds: 'q10', phq9: 'q9' };
const NIGHT = '2027-06-10T23:10:00+08:00';

const cases = (Object.keys(PROGRAMS) as ProgramName[]).flatMap((name) =>
  program(name).steps.flatMap((step): [string, ProgramName, CompiledStep][] => {
    const asks = (step.kind === 'questionnaire' && SELF_HARM_ITEM[step.questionnaire]) || (step.kind === 'monitor' && 'thoughts_of_self_harm' in step.fields);
    return asks ? [[`${name} ${step.id}`, name, step]] : [];
  }),
);

function answeredAtNight(name: ProgramName, step: CompiledStep): JourneyState {
  const state: JourneyState = { ...previewState(name), enrolledAt: '2027-01-20T09:00:00+08:00' };
  if (step.kind === 'questionnaire') {
    const items = Object.fromEntries(
      program(name).questionnaires[step.questionnaire]!.items.map((id) => [id, id === SELF_HARM_ITEM[step.questionnaire] ? 1 : 0]),
    );
    state.occurrences = { [`${step.id}#1`]: { issuedAt: '2027-06-10T09:00:00+08:00', completedAt: NIGHT, data: { items } } };
  } else if (step.kind === 'monitor') {
    const values = Object.fromEntries(Object.keys(step.fields).map((f) => [f, f === 'thoughts_of_self_harm']));
    state.readings = [{ id: 'r1', metric: step.metric, at: NIGHT, values }];
  }
  return state;
}

describe('a self-harm answer pages the on-duty clinician at once', () => {
  it('finds the self-harm questions of the programs', () => {
    expect(cases.length).toBeGreaterThanOrEqual(10);
  });

  it.each(cases)('%s', (_, name, step) => {
    const due = plan(program(name), answeredAtNight(name, step), NIGHT).due;
    const page = due.filter((a) => a.kind === 'escalation' && a.role === 'on_call');
    expect(page, 'an escalation to the on-duty clinician').toHaveLength(1);
    expect(page[0]).toMatchObject({ urgency: 'urgent', severity: 'urgent', at: NIGHT, channels: ['phone'] });
    expect(page[0]!.slaMinutes).toBeLessThanOrEqual(15);
    // The counsellor is told as well, and the patient gets the crisis text (neutral by SMS).
    expect(due.some((a) => a.role === 'psychologist')).toBe(true);
    expect(due.some((a) => a.kind === 'message' && a.template === 'crisis_support' && a.urgency === 'urgent')).toBe(true);
  });
});
