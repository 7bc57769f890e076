/**
 * Home readings that leave a field out (issue 10, class 7): thresholds apply to what is given,
 * an unticked symptom counts as not reported, and a rule that needs a missing field is reported
 * (the monitor's `incomplete` steps and a warning), never silently false.
 */
import { describe, expect, it } from 'vitest';
import type { JourneyState } from '../../pathway/planner/index.ts';
import { addDays, plan, program, type ProgramName } from './helpers.ts';

const LMP = '2027-01-15';
const at = (gaDay: number, clock: string) => `${addDays(LMP, gaDay)}T${clock}:00+08:00`;

function withReading(
  name: ProgramName,
  enrolDay: number,
  metric: string,
  values: Record<string, number | boolean>,
  when: string,
  variables: JourneyState['variables'] = {},
): JourneyState {
  return { enrolledAt: at(enrolDay, '10:00'), anchors: { lmp: LMP }, variables, readings: [{ id: 'r1', metric, at: when, values }] };
}

const triggered = (name: ProgramName, state: JourneyState, now: string) => {
  const p = plan(program(name), state, now);
  return {
    steps: p.due
      .filter((a) => a.source === 'r:r1')
      .map((a) => a.step)
      .sort(),
    warnings: p.warnings,
  };
};

describe.each([
  ['full-pregnancy', 98],
  ['mid-pregnancy', 98],
  ['late-pregnancy', 196],
] as const)('%s: blood pressure and symptoms', (name, enrolDay) => {
  const when = at(215, '19:30'); // GA 30+5

  it('150/95 without the optional symptoms answer is a same-day call, not nothing', () => {
    expect(triggered(name, withReading(name, enrolDay, 'blood_pressure', { sbp: 150, dbp: 95 }, when), when).steps).toEqual(['e2_call', 'sameday_message']);
  });

  it('150/95 with symptoms is E3; 165/100 is E3 with or without the answer', () => {
    expect(triggered(name, withReading(name, enrolDay, 'blood_pressure', { sbp: 150, dbp: 95, symptoms: true }, when), when).steps).toEqual([
      'e3_call',
      'urgent_safety_message',
    ]);
    expect(triggered(name, withReading(name, enrolDay, 'blood_pressure', { sbp: 165, dbp: 100 }, when), when).steps).toEqual([
      'e3_call',
      'urgent_safety_message',
    ]);
  });

  it('a symptom report with only the ticked items: the ticked one counts, the others are not reported', () => {
    expect(triggered(name, withReading(name, enrolDay, 'symptoms', { fluid_leak: true }, when), when)).toEqual({
      steps: ['e3_call', 'urgent_safety_message'],
      warnings: [],
    });
    expect(triggered(name, withReading(name, enrolDay, 'symptoms', { generalised_itching: true }, when), when).steps).toEqual(['e2_call', 'sameday_message']);
  });

  it('a glucose value without its time point: the bands that need no time point still apply, the rest goes to a nurse', () => {
    const gdm = { gdm: true };
    const low = triggered(name, withReading(name, enrolDay, 'glucose', { value: 2.8 }, when, gdm), when);
    expect(low.steps).toEqual(['e3_call', 'urgent_safety_message']);
    const mid = triggered(name, withReading(name, enrolDay, 'glucose', { value: 6.0 }, when, gdm), when);
    expect(mid.steps).toEqual(['e1_review']);
    expect(mid.warnings.join(' ')).toMatch(/without timepoint leaves .* undetermined/);
    // With the time point the same value is decided: 6.0 fasting is above 5.3.
    expect(triggered(name, withReading(name, enrolDay, 'glucose', { value: 6.0, timepoint: 0 }, when, gdm), when)).toEqual({
      steps: ['e1_review'],
      warnings: [],
    });
    expect(triggered(name, withReading(name, enrolDay, 'glucose', { value: 5.0, timepoint: 0 }, when, gdm), when).steps).toEqual([]);
  });

  it("a monitor's rules apply to every reading of its metric, whatever the reminder's condition: a glucose of 2.8 with gdm false", () => {
    for (const variables of [{ gdm: false }, {}] as JourneyState['variables'][]) {
      expect(triggered(name, withReading(name, enrolDay, 'glucose', { value: 2.8, timepoint: 0 }, when, variables), when).steps).toEqual([
        'e3_call',
        'urgent_safety_message',
      ]);
    }
  });
});

describe('diabetes home monitoring', () => {
  it('a glucose of 17 without the symptoms answer is a same-day call (not reported = no symptoms)', () => {
    const state: JourneyState = {
      enrolledAt: '2027-03-01T10:00:00+08:00',
      anchors: { enrolled_on: '2027-03-01' },
      readings: [{ id: 'r1', metric: 'glucose', at: '2027-04-01T12:00:00+08:00', values: { value: 17.0, timepoint: 2 } }],
    };
    const p = plan(program('diabetes-home'), state, '2027-04-01T12:00:00+08:00');
    expect(
      p.due
        .filter((a) => a.source === 'r:r1')
        .map((a) => a.step)
        .sort(),
    ).toEqual(['e2_call', 'sameday_message']);
  });
});
