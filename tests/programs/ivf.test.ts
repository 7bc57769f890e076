/** The IVF cycle program against clinical-reference §3 (antagonist protocol, OPU, transfer, hCG, OHSS). */
import { describe, expect, it } from 'vitest';
import { addDays, DAY, dayDiff, dueOf, entry, HOUR, localMinutes, ms, plan, program, projectTimeline, type JourneyState } from './helpers.ts';

const ivf = program('ivf-cycle');
const CD1 = '2027-03-01';
const cycle = (extra: Partial<JourneyState> = {}): JourneyState => ({
  enrolledAt: `${CD1}T08:30:00+08:00`,
  ...extra,
  anchors: { cycle_start: CD1, ...(extra.anchors ?? {}) },
});
const TRIGGER = '2027-03-12T21:15:00+08:00';

describe('stimulation and the trigger shot', () => {
  it('books the baseline visit for CD2–3 right at enrolment on CD1', () => {
    const p = plan(ivf, cycle(), `${CD1}T09:00:00+08:00`);
    expect(dueOf(p, 'book_baseline')).toMatchObject([{ code: 'baseline-visit', role: 'assistant', produces: { appointment_at: 'datetime', place: 'string' } }]);
    expect(ivf.steps.find((s) => s.id === 'book_baseline')!.timing.latest).toMatchObject({ anchor: 'cycle_start', offset: 2 * 1440 });
  });

  it('monitors from about stimulation day 5 every 2 days and stops before the trigger', () => {
    const p = projectTimeline(ivf, cycle({ anchors: { trigger_at: TRIGGER } }));
    const days = p.entries.filter((e) => e.step === 'book_monitoring').map((e) => e.age);
    expect(days).toEqual(['CD4', 'CD6', 'CD8', 'CD10']);
    const meds = p.entries.filter((e) => e.step === 'stim_medication_reminder');
    expect(meds[0]!.age).toBe('CD3');
    expect(ms(meds.at(-1)!.at)).toBeLessThan(ms(TRIGGER));
  });

  it('puts the alarm 1 h before and the confirmation task at the signalled minute, through quiet hours', () => {
    const state = cycle({ anchors: { trigger_at: TRIGGER } });
    expect(dueOf(plan(ivf, state, '2027-03-12T20:15:00+08:00'), 'trigger_alarm')).toMatchObject([{ urgency: 'urgent', at: '2027-03-12T20:15:00+08:00' }]);
    expect(dueOf(plan(ivf, state, TRIGGER), 'trigger_confirm')).toMatchObject([
      { key: 'trigger_confirm#1', urgency: 'urgent', role: 'assistant', at: TRIGGER, slaMinutes: 30 },
    ]);
  });

  it('escalates an unconfirmed injection to the nurse by phone after 30 minutes', () => {
    const open = cycle({ anchors: { trigger_at: TRIGGER }, occurrences: { 'trigger_confirm#1': { issuedAt: TRIGGER } } });
    expect(dueOf(plan(ivf, open, '2027-03-12T21:44:00+08:00'), 'trigger_confirm')).toEqual([]);
    expect(dueOf(plan(ivf, open, '2027-03-12T21:45:00+08:00'), 'trigger_confirm')).toMatchObject([
      { key: 'trigger_confirm#1/escalate-1', type: 'escalate', role: 'nurse', channels: ['phone'], urgency: 'urgent' },
    ]);
  });

  it('reports the confirmed injection time to the nurse at once', () => {
    const done = cycle({
      anchors: { trigger_at: TRIGGER },
      occurrences: { 'trigger_confirm#1': { issuedAt: TRIGGER, completedAt: '2027-03-12T21:32:00+08:00', data: { injected_at: '2027-03-12T21:16:00+08:00' } } },
    });
    expect(dueOf(plan(ivf, done, '2027-03-12T21:32:00+08:00'), 'trigger_report')).toMatchObject([
      { audience: 'nurse', template: 'trigger_report', urgency: 'urgent', source: 'trigger_confirm#1' },
    ]);
  });
});

describe('egg retrieval 36 h after the trigger', () => {
  const p = projectTimeline(ivf, cycle({ anchors: { trigger_at: TRIGGER } }));

  it('retrieval is exactly 36 h after the recorded trigger time', () => {
    expect(ms(entry(p, 'retrieval#1').at) - ms(TRIGGER)).toBe(36 * HOUR);
    expect(entry(p, 'retrieval#1')).toMatchObject({ at: '2027-03-14T09:15:00+08:00', code: 'egg-retrieval', age: 'CD14' });
  });

  it('announces it at least 24 h ahead, reminds of fasting the night before, and plans the escort day', () => {
    const retrieval = ms(entry(p, 'retrieval#1').at);
    const notice = entry(p, 'retrieval_notice#1');
    expect(retrieval - ms(notice.at)).toBeGreaterThanOrEqual(24 * HOUR);
    expect(localMinutes(notice.at)).toBeGreaterThanOrEqual(8 * 60);
    expect(entry(p, 'retrieval_fasting#1')).toMatchObject({ at: '2027-03-13T19:15:00+08:00', urgency: 'urgent' });
    expect(entry(p, 'retrieval_escort#1')).toMatchObject({ role: 'assistant', code: 'escort' });
  });

  it('follows the centre when it corrects the retrieval time (e.g. 35 h)', () => {
    const corrected = projectTimeline(ivf, cycle({ anchors: { trigger_at: TRIGGER, retrieval_at: '2027-03-14T08:15:00+08:00' } }));
    expect(entry(corrected, 'retrieval#1').at).toBe('2027-03-14T08:15:00+08:00');
  });

  it('starts luteal support reminders on the evening of the retrieval day and OHSS self-checks the next day', () => {
    expect(entry(p, 'luteal_reminder#1').at).toBe('2027-03-14T20:15:00+08:00');
    expect(entry(p, 'ohss_monitor#1').at).toBe('2027-03-15T09:15:00+08:00');
    expect(p.entries.filter((e) => e.step === 'ohss_monitor')).toHaveLength(10);
  });
});

describe('transfer, pregnancy test and first ultrasound', () => {
  const TRANSFER = '2027-03-19T10:30:00+08:00';
  const p = projectTimeline(ivf, cycle({ anchors: { trigger_at: TRIGGER, transfer_at: TRANSFER } }));

  it("the hCG test is timed by the embryo's age: ~14 days after a day-3 transfer, 11–12 after a blastocyst", () => {
    // Cycles across a month end, a leap day and a year end; trigger at 21:15 on CD12.
    for (const start of ['2027-01-20', '2028-02-14', '2027-12-18', '2028-06-30']) {
      const trigger = `${addDays(start, 11)}T21:15:00+08:00`;
      const retrieval = ms(trigger) + 36 * 3_600_000;
      for (const [embryoDay, lo, hi] of [
        [3, 13, 14],
        [5, 11, 12],
        [6, 10, 11],
      ] as const) {
        const transfer = new Date(retrieval + embryoDay * DAY + 3_600_000).toISOString();
        const q = projectTimeline(ivf, { enrolledAt: `${start}T08:00:00+08:00`, anchors: { cycle_start: start, trigger_at: trigger, transfer_at: transfer } });
        const test = dayDiff(transfer, entry(q, 'hcg_test#1').at);
        expect(test, `${start} D${embryoDay}`).toBeGreaterThanOrEqual(lo);
        expect(test, `${start} D${embryoDay}`).toBeLessThanOrEqual(hi);
        // Booked three days ahead, after the transfer.
        expect(dayDiff(entry(q, 'book_hcg#1').at, entry(q, 'hcg_test#1').at)).toBe(3);
        expect(ms(entry(q, 'book_hcg#1').at)).toBeGreaterThan(ms(transfer));
      }
    }
  });

  it('the first ultrasound is booked for 28–35 days after the transfer', () => {
    expect(dayDiff(TRANSFER, entry(p, 'book_early_us#1').at)).toBe(25);
    expect(ivf.steps.find((s) => s.id === 'book_early_us')!.title).toContain('28–35');
  });

  it('announces the transfer ≥24 h ahead and keeps luteal reminders until the first ultrasound', () => {
    expect(ms(TRANSFER) - ms(entry(p, 'transfer_notice#1').at)).toBeGreaterThanOrEqual(24 * HOUR);
    const luteal = p.entries.filter((e) => e.step === 'luteal_reminder');
    expect(dayDiff(TRANSFER, luteal.at(-1)!.at)).toBe(34);
  });

  it('a negative test ends the journey with care calls and no more medication reminders', () => {
    const state = cycle({
      anchors: { trigger_at: TRIGGER, transfer_at: TRANSFER },
      events: [{ id: 'neg', name: 'not_pregnant', at: '2027-03-31T11:00:00+08:00' }],
    });
    const after = projectTimeline(ivf, state, { from: '2027-03-31T11:00:00+08:00' });
    expect(after.entries.filter((e) => e.status === 'planned').map((e) => e.key)).toEqual(['negative_care_call#e:neg', 'negative_psych_call#e:neg']);
  });
});

describe('OHSS warning signs', () => {
  const none = {
    weight_gain_24h_kg: 0.2,
    bloating: false,
    vomiting: false,
    severe_abdominal_pain: false,
    breathless: false,
    little_dark_urine: false,
    leg_swelling_or_pain: false,
    heavy_bleeding_or_fainting: false,
    fever: false,
  };
  const at = '2027-03-17T22:40:00+08:00';
  const tiers = (values: Record<string, number | boolean>, now = at) =>
    plan(ivf, cycle({ anchors: { trigger_at: TRIGGER }, readings: [{ id: 'o1', metric: 'ohss_symptoms', at, values }] }), now)
      .due.filter((a) => a.source === 'r:o1')
      .map((a) => a.step)
      .sort();

  it('breathlessness, little urine, a swollen leg, severe pain, heavy bleeding or fever → E3 at once', () => {
    for (const sign of ['breathless', 'little_dark_urine', 'leg_swelling_or_pain', 'severe_abdominal_pain', 'heavy_bleeding_or_fainting', 'fever']) {
      expect(tiers({ ...none, [sign]: true }), sign).toEqual(['e3_call', 'urgent_safety_message']);
    }
  });

  it('vomiting or >1 kg in 24 h → E2 the next morning; bloating alone → E1', () => {
    expect(tiers({ ...none, vomiting: true })).toEqual([]);
    expect(tiers({ ...none, vomiting: true }, '2027-03-18T08:00:00+08:00')).toEqual(['e2_call', 'sameday_message']);
    expect(tiers({ ...none, weight_gain_24h_kg: 1.3 }, '2027-03-18T08:00:00+08:00')).toEqual(['e2_call', 'sameday_message']);
    expect(tiers({ ...none, bloating: true }, '2027-03-18T08:00:00+08:00')).toEqual(['e1_review']);
    expect(tiers(none, '2027-03-18T08:00:00+08:00')).toEqual([]);
  });
});

describe('care', () => {
  it('greets on a birthday inside the cycle, and not when it falls outside', () => {
    const inside = projectTimeline(ivf, cycle({ anchors: { next_birthday: '2027-03-20' } }));
    expect(entry(inside, 'birthday_greeting#1')).toMatchObject({ at: '2027-03-20T09:00:00+08:00', code: 'greeting' });
    const outside = projectTimeline(ivf, cycle({ anchors: { next_birthday: '2027-09-20' } }));
    expect(outside.entries.some((e) => e.step === 'birthday_greeting')).toBe(false);
  });

  it('greets on the holidays inside the cycle at 10:00 on the day, and on no other', () => {
    // CD1 2027-09-01 → CD71 2027-11-10: Mid-Autumn (09-15) and National Day (10-01) fall inside.
    const autumn = (extra: Partial<JourneyState> = {}): JourneyState => ({
      enrolledAt: '2027-09-01T08:30:00+08:00',
      ...extra,
      anchors: { cycle_start: '2027-09-01', ...(extra.anchors ?? {}) },
    });
    const p = projectTimeline(ivf, autumn());
    const greetings = p.entries.filter((e) => e.step.startsWith('greeting_'));
    expect(greetings.filter((e) => e.status === 'planned').map((e) => [e.key, e.at, e.title, e.code])).toEqual([
      ['greeting_mid_autumn_2027#1', '2027-09-15T10:00:00+08:00', '中秋节', 'greeting'],
      ['greeting_national_day_2027#1', '2027-10-01T10:00:00+08:00', '国庆节', 'greeting'],
    ]);
    // Holidays before the cycle are skipped as for any late enrolment; later ones are never planned.
    expect(greetings.filter((e) => e.status === 'skipped').map((e) => [e.step, e.reason])).toEqual([
      ['greeting_dragon_boat_2027', 'late-enrolment'],
      ['greeting_new_year_2027', 'late-enrolment'],
      ['greeting_spring_festival_2027', 'late-enrolment'],
    ]);
    expect(p.notProjected.filter((n) => n.step.startsWith('greeting_')).map((n) => n.why)).toEqual(Array(7).fill('its time falls after the journey ends'));
    // A cycle that ends on a negative test before National Day sends no greeting after it.
    const ended = projectTimeline(ivf, autumn({ events: [{ name: 'not_pregnant', at: '2027-09-28T11:00:00+08:00' }] }));
    expect(ended.entries.filter((e) => e.step.startsWith('greeting_') && e.status === 'planned').map((e) => e.key)).toEqual(['greeting_mid_autumn_2027#1']);
  });

  it('sends a holiday greeting that falls between enrolment and CD1 neither early nor late', () => {
    // Enrolled on 2026-12-28 for a cycle starting 2027-01-03: New Year's Day is before the cycle.
    const state: JourneyState = { enrolledAt: '2026-12-28T10:00:00+08:00', anchors: { cycle_start: '2027-01-03' } };
    expect(dueOf(plan(ivf, state, '2027-01-01T10:00:00+08:00'), 'greeting_new_year_2027')).toEqual([]);
    expect(plan(ivf, state, '2027-01-03T10:00:00+08:00').skipped).toContainEqual(
      expect.objectContaining({ key: 'greeting_new_year_2027#1', reason: 'window-passed' }),
    );
    // The Spring Festival 2027 (02-06) is inside this cycle.
    expect(dueOf(plan(ivf, state, '2027-02-06T10:00:00+08:00'), 'greeting_spring_festival_2027')).toMatchObject([
      { key: 'greeting_spring_festival_2027#1', at: '2027-02-06T10:00:00+08:00', template: 'holiday_greeting', channels: ['wechat', 'app'], title: '春节' },
    ]);
  });

  it('a high anxiety score in the two-week wait gets a same-day psychologist call', () => {
    const state = cycle({
      anchors: { trigger_at: TRIGGER, transfer_at: '2027-03-17T10:00:00+08:00' },
      occurrences: {
        'gad7_wait#1': {
          issuedAt: '2027-03-24T10:00:00+08:00',
          completedAt: '2027-03-24T12:00:00+08:00',
          data: { items: { q1: 3, q2: 3, q3: 3, q4: 2, q5: 2, q6: 2, q7: 1 } },
        },
      },
    });
    expect(dueOf(plan(ivf, state, '2027-03-24T12:00:00+08:00'), 'psych_sameday_call', 'psych_watch_call').map((a) => a.key)).toEqual([
      'psych_sameday_call#gad7_wait#1',
    ]);
  });
});
