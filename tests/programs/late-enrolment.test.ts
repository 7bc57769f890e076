/**
 * Late enrolment and late activation (issue 10, class 3): a step catches up while still useful,
 * a counted recurrence is compressed into what remains, a closing step never goes in the
 * enrolment minute, and whatever is skipped says why.
 */
import { describe, expect, it } from 'vitest';
import type { JourneyState, Projection } from '../../pathway/planner/index.ts';
import { addDays, DAY, ms, program, projectTimeline } from './helpers.ts';

const CHECKUP = '2028-01-31'; // a month end, the year crosses 29 February
const HIGH_GLUCOSE = { sbp: 148, dbp: 92, fasting_glucose: 7.2, ldl: 4.3, tg: 1.8, alt: 35, uric_acid: 380, bmi: 26.1, thyroid_ctirads: '3' };
const planned = (p: Projection, step: string) => p.entries.filter((e) => e.step === step && e.status === 'planned');

describe('post-checkup: a card activated on any day of its activation window', () => {
  const premium = program('post-checkup-premium');
  const followups = premium.steps.filter((s) => s.id.endsWith('_followup')).map((s) => s.id);
  const days = Array.from({ length: 61 }, (_, i) => i * 5); // day 0 … day 300, the last day a card is activated

  it.each(days)('activated on day %i', (day) => {
    const enrolledAt = `${addDays(CHECKUP, day)}T15:20:00+08:00`;
    const state: JourneyState = { enrolledAt, anchors: { checkup: CHECKUP }, variables: HIGH_GLUCOSE };
    const p = projectTimeline(premium, state);
    const after = (step: string) => planned(p, step).filter((e) => ms(e.at) >= ms(enrolledAt));
    // The personalised report and the referral for a high fasting glucose catch up.
    expect(after('write_report'), 'write_report').toHaveLength(1);
    expect(after('glucose_referral'), 'glucose_referral').toHaveLength(1);
    // Not fewer than 6 follow-ups a year in each group the person is in (002).
    for (const step of followups) {
      const n = planned(p, step).length;
      if (n > 0) expect(n, step).toBeGreaterThanOrEqual(6);
    }
    expect(planned(p, 'glucose_followup').length).toBeGreaterThanOrEqual(6);
    // Nothing closing in the first day of the service; whatever is skipped says why.
    for (const step of ['satisfaction', 'annual_summary']) {
      for (const e of planned(p, step)) expect(ms(e.at) - ms(enrolledAt), step).toBeGreaterThan(DAY);
    }
    for (const e of p.entries.filter((x) => x.status === 'skipped')) expect(e.reason).toBeTruthy();
  });

  it('a card activated after the survey and summary times skips them with the reason instead of sending them at once', () => {
    const enrolledAt = `${addDays(CHECKUP, 345)}T10:00:00+08:00`;
    const p = projectTimeline(premium, { enrolledAt, anchors: { checkup: CHECKUP }, variables: HIGH_GLUCOSE });
    for (const step of ['satisfaction', 'annual_summary']) {
      expect(p.entries.find((e) => e.step === step)).toMatchObject({ status: 'skipped', reason: 'late-enrolment' });
    }
  });
});

describe('late-pregnancy: a patient who buys the package near term still gets the delivery booking', () => {
  const late = program('late-pregnancy');
  const LMP = '2028-01-20';
  // Up to the day before the EDD: the preview assumes the birth on it.
  const gaDays = Array.from({ length: 40 * 7 - 28 * 7 }, (_, i) => 28 * 7 + i);

  it.each(gaDays)('enrolled at GA day %i', (day) => {
    const enrolledAt = `${addDays(LMP, day)}T11:00:00+08:00`;
    const p = projectTimeline(late, { enrolledAt, anchors: { lmp: LMP } });
    const booking = planned(p, 'delivery_booking');
    expect(booking, 'delivery_booking').toHaveLength(1);
    expect(ms(booking[0]!.at)).toBeGreaterThanOrEqual(ms(enrolledAt));
    // Closing steps come after the postpartum service, never in the enrolment minute.
    for (const step of ['satisfaction', 'closing']) for (const e of planned(p, step)) expect(ms(e.at) - ms(enrolledAt)).toBeGreaterThan(DAY);
  });
});

describe('mid-pregnancy: an enrolment near the end of the package', () => {
  const mid = program('mid-pregnancy');
  const LMP = '2028-01-20';
  const gaDays = Array.from({ length: 27 * 7 + 6 - 14 * 7 + 1 }, (_, i) => 14 * 7 + i);

  it.each(gaDays)('enrolled at GA day %i sends no survey or hand-over in its first day', (day) => {
    const enrolledAt = `${addDays(LMP, day)}T11:00:00+08:00`;
    const p = projectTimeline(mid, { enrolledAt, anchors: { lmp: LMP } });
    for (const step of ['satisfaction', 'closing']) {
      for (const e of planned(p, step)) expect(ms(e.at) - ms(enrolledAt), `${step} at ${e.at}`).toBeGreaterThan(DAY / 2);
      for (const e of p.entries.filter((x) => x.step === step && x.status === 'skipped')) expect(e.reason).toBe('late-enrolment');
    }
  });
});
