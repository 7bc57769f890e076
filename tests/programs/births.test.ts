/**
 * A birth ends pregnancy whatever the week (issue 10, class 1): from 28+0 to 42+0, every day,
 * at a time of night, after a journey in which staff booked appointments (some for dates after
 * the birth), left a booking and the late scales open. After `delivered` nothing antenatal goes
 * out, what is open of pregnancy is cancelled with its reason, and the postpartum care starts.
 */
import { describe, expect, it } from 'vitest';
import type { CompiledPathway, TimelineEntry } from '../../pathway/planner/index.ts';
import type { Scenario } from '../../pathway/planner/scenario.ts';
import { addDays, ms, program, projectTimeline } from './helpers.ts';

const LMP = '2028-01-20'; // the pregnancy spans 29 February 2028
const ga = (days: number, clock: string) => `${addDays(LMP, days)}T${clock}:00+08:00`;

/** Steps of pregnancy, by the pathway's own timing: not timed from the birth, not triggered. */
function antenatalSteps(p: CompiledPathway): Set<string> {
  const byId = new Map(p.steps.map((s) => [s.id, s]));
  const afterBirth = (id: string): boolean => {
    const s = byId.get(id)!;
    if (s.origin.type === 'dependent') return afterBirth(s.origin.source);
    const ref = s.timing.at ?? s.timing.earliest;
    return ref?.base === 'anchor' && ['delivery', 'discharge'].includes(ref.anchor);
  };
  return new Set(p.steps.filter((s) => s.origin.type !== 'trigger' && !afterBirth(s.id)).map((s) => s.id));
}

const OPEN_KINDS = new Set(['task', 'questionnaire', 'approval']);

function scenario(p: CompiledPathway, birth: string): Scenario {
  const steps: Scenario['steps'] = {};
  for (const s of p.steps) {
    if (s.kind === 'task' && 'appointment_at' in s.produces) steps[s.id] = { complete: '1d', data: { appointment_at: '+10d 09:30', place: '产科门诊' } };
  }
  // Left open at the birth: a booking nobody got to and the late scales.
  for (const id of ['book_gbs', 'epds_late', 'gad7_late']) steps[id] = { complete: 'never' };
  return { steps, changes: [{ at: birth, event: 'delivered' }] };
}

const births = Array.from({ length: 42 * 7 - 28 * 7 + 1 }, (_, i) => 28 * 7 + i);

const POSTPARTUM = ['postpartum_welcome', 'postpartum_archive', 'book_home_visit', 'epds_2w', 'book_pp42'];

describe.each([
  ['full-pregnancy', 6 * 7, POSTPARTUM],
  ['late-pregnancy', 28 * 7, POSTPARTUM],
  // The mid package sells the delivery booking and the 42-day check too (000 rows 6 and 15).
  ['mid-pregnancy', 14 * 7, ['postpartum_welcome', 'postpartum_archive', 'postpartum_care_call', 'book_pp42']],
] as const)('%s: a birth on any day from 28+0 to 42+0', (name, enrolDay, postpartum) => {
  const p = program(name);
  const antenatal = antenatalSteps(p);

  it.each(births)('birth at GA day %i', (day) => {
    const birth = ga(day, `0${day % 10}:40`);
    const projection = projectTimeline(p, { enrolledAt: ga(enrolDay, '10:00'), anchors: { lmp: LMP } }, { scenario: scenario(p, birth) });
    const after = (e: TimelineEntry) => ms(e.at) >= ms(birth);
    const issuedAfter = projection.entries.filter((e) => e.status === 'planned' && after(e) && antenatal.has(e.step));
    expect(issuedAfter.map((e) => `${e.key} at ${e.at}`)).toEqual([]);

    // Whatever of pregnancy was open at the birth is cancelled then, with the reason.
    const openAtBirth = projection.entries.filter(
      (e) => e.status === 'planned' && !after(e) && !e.key.includes('/') && OPEN_KINDS.has(e.kind) && ['book_gbs', 'epds_late', 'gad7_late'].includes(e.step),
    );
    const cancelled = projection.entries.filter((e) => e.status === 'cancelled');
    for (const e of openAtBirth)
      expect(
        cancelled.find((c) => c.key === e.key),
        e.key,
      ).toMatchObject({ reason: 'stage-ended' });
    for (const c of cancelled) expect(antenatal.has(c.step) && ms(c.at) >= ms(birth) && ms(c.at) - ms(birth) < 3_600_000, c.key).toBe(true);

    // Postpartum care starts from the real birth.
    const planned = (step: string) => projection.entries.find((e) => e.step === step && e.status === 'planned');
    for (const step of postpartum) {
      expect(planned(step), step).toBeDefined();
      expect(ms(planned(step)!.at)).toBeGreaterThan(ms(birth));
    }
  });
});

describe.each([
  ['full-pregnancy', 6 * 7],
  ['late-pregnancy', 28 * 7],
] as const)('%s: bookings made before the birth', (name, enrolDay) => {
  const p = program(name);
  it('an appointment booked before the birth for a date after it sends neither notice nor escort', () => {
    // Birth at 34+2; the NST booked at 34+1 for 34+11 (10 days later): both would go after the birth.
    const birth = ga(34 * 7 + 2, '05:10');
    const projection = projectTimeline(p, { enrolledAt: ga(enrolDay, '10:00'), anchors: { lmp: LMP } }, { scenario: scenario(p, birth) });
    const nst = projection.entries.filter((e) => e.step.startsWith('nst_'));
    expect(projection.entries.some((e) => e.key === 'book_nst#1' && e.status === 'planned')).toBe(true);
    expect(nst.filter((e) => e.status === 'planned')).toEqual([]);
    expect(nst.map((e) => e.reason)).toEqual(nst.map(() => 'stage-ended'));
  });
});
