/**
 * Booked times against the guideline windows (issue 10, class 5): for every booking step with a
 * window, a booking on every day from a week before the window to a week after it is refused
 * (a `reject` window: NT, serum screening) or goes to the coordinator for review, and one inside
 * is taken as it is; a time in the past is always refused.
 */
import { describe, expect, it } from 'vitest';
import type { CompiledPathway, JourneyState, TaskStep } from '../../pathway/planner/index.ts';
import { formatTime, parseTime, resolvedAnchors } from '../../pathway/planner/index.ts';
import { InvalidUpdate, validateCompleteStep } from '../../workflows/journey-validation.ts';
import { addDays, DAY, plan, program, type ProgramName } from './helpers.ts';

const OFFSET = 480;
const iso = (t: number) => formatTime(t, OFFSET);

/** A journey in which the booking task was issued and the delivery (if any) happened. */
function stateFor(name: ProgramName): { state: JourneyState; issued: number } {
  if (name === 'ivf-cycle') {
    const state: JourneyState = {
      enrolledAt: '2028-02-10T08:00:00+08:00',
      anchors: { cycle_start: '2028-02-10', trigger_at: '2028-02-21T21:15:00+08:00', transfer_at: '2028-02-26T10:00:00+08:00' },
    };
    return { state, issued: parseTime('2028-02-27T09:00:00+08:00', OFFSET)!.ms };
  }
  const lmp = '2028-01-20';
  const state: JourneyState = {
    enrolledAt: `${lmp}T08:00:00+08:00`,
    anchors: { lmp },
    events: [{ name: 'delivered', at: `${addDays(lmp, 275)}T04:00:00+08:00` }],
  };
  return { state, issued: parseTime(`${addDays(lmp, 42)}T09:00:00+08:00`, OFFSET)!.ms };
}

const cases = (['full-pregnancy', 'mid-pregnancy', 'late-pregnancy', 'ivf-cycle'] as ProgramName[]).flatMap((name) =>
  program(name).steps.flatMap((s): [string, ProgramName, TaskStep][] => (s.kind === 'task' && s.booking ? [[`${name} ${s.id}`, name, s]] : [])),
);

/** The window in epoch ms: a day reference covers that whole local day. */
function windowDays(p: CompiledPathway, state: JourneyState, step: TaskStep): { from: number; until: number } {
  const anchors = resolvedAnchors(p, state, '2030-01-01T00:00:00+08:00');
  const at = (r: NonNullable<TaskStep['booking']>['from'], end: boolean) => {
    if (r.base !== 'anchor') throw new Error('booking windows are on anchors');
    const t = parseTime(anchors[r.anchor]!, OFFSET)!.ms + r.offset * 60_000;
    return r.dateOnly && end ? t + DAY - 1 : t;
  };
  return { from: at(step.booking!.from, false), until: at(step.booking!.until, true) };
}

describe('booked times outside the guideline window', () => {
  it('covers the windowed bookings of the programs', () => {
    expect(cases.map(([n]) => n)).toEqual(
      expect.arrayContaining(['full-pregnancy book_nt', 'full-pregnancy book_v4', 'mid-pregnancy book_v4', 'late-pregnancy book_gbs', 'ivf-cycle book_hcg']),
    );
  });

  it.each(cases)('%s: every day from a week before to a week after the window', (_, name, step) => {
    const p = program(name);
    const { state } = stateFor(name);
    const { from, until } = windowDays(p, state, step);
    const key = `${step.id}#1`;
    // Completed on the day before the window opens at the latest, so that every day tried is ahead.
    const dayStart = (t: number) => parseTime(iso(t).slice(0, 10), OFFSET)!.ms;
    const completedAt = dayStart(from - 8 * DAY) + 10 * 3_600_000;
    const now = iso(completedAt);
    for (let t = from - 7 * DAY + 10 * 3_600_000; t <= until + 7 * DAY; t += DAY) {
      const inside = t >= from && t <= until;
      const data = { appointment_at: iso(t), place: '门诊' };
      const open: JourneyState = { ...state, occurrences: { [key]: { issuedAt: iso(completedAt - 3_600_000) } } };
      const request = { key, data, by: 'butler-1' };
      if (step.booking!.outside === 'reject' && !inside) {
        expect(() => validateCompleteStep(p, open, request, now), `${iso(t)} refused`).toThrow(/outside the window/);
        continue;
      }
      expect(() => validateCompleteStep(p, open, request, now), iso(t)).not.toThrow();
      const done: JourneyState = { ...state, occurrences: { [key]: { issuedAt: iso(completedAt - 3_600_000), completedAt: now, data } } };
      const review = plan(p, done, iso(completedAt + 3 * 3_600_000)).due.filter((a) => a.step === 'booking_window_review');
      expect(
        review.map((a) => a.key),
        iso(t),
      ).toEqual(inside ? [] : [`booking_window_review#${key}`]);
      if (!inside) expect(review[0]).toMatchObject({ role: 'coordinator', kind: 'task' });
    }
  });

  it.each(cases)('%s: a booked time in the past is refused', (_, name, step) => {
    const p = program(name);
    const { state, issued } = stateFor(name);
    const key = `${step.id}#1`;
    const open: JourneyState = { ...state, occurrences: { [key]: { issuedAt: iso(issued) } } };
    const request = { key, data: { appointment_at: iso(issued - DAY), place: '门诊' }, by: 'butler-1' };
    expect(() => validateCompleteStep(p, open, request, iso(issued + 3_600_000))).toThrow(InvalidUpdate);
    expect(() => validateCompleteStep(p, open, request, iso(issued + 3_600_000))).toThrow(/in the past/);
  });
});
