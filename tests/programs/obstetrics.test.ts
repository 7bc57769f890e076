/**
 * Obstetric programs against the 2018 Chinese prenatal guideline (clinical-reference §1) and the
 * escalation tiers (§2): visit windows, advance notices, EDD re-dating, late enrolment, the
 * delivery and loss events, questionnaire and home-reading rules.
 */
import { describe, expect, it } from 'vitest';
import {
  addDays,
  DAY,
  dayDiff,
  dueOf,
  entry,
  gaDays,
  HOUR,
  localMinutes,
  ms,
  plan,
  previewJson,
  previewState,
  program,
  projectTimeline,
  type CompiledPathway,
  type JourneyState,
  type ProgramName,
} from './helpers.ts';

const LMP = '2027-01-15';
const full = program('full-pregnancy');
const mid = program('mid-pregnancy');
const late = program('late-pregnancy');
/** Local midnight + GA day index. */
const ga = (days: number, clock = '09:00') => `${addDays(LMP, days)}T${clock}:00+08:00`;
const journey = (extra: Partial<JourneyState> = {}, pathway: CompiledPathway = full): JourneyState => ({
  enrolledAt: pathway === full ? `${LMP}T00:00:00+08:00` : pathway === mid ? ga(98, '00:00') : ga(196, '00:00'),
  anchors: { lmp: LMP },
  ...extra,
});

/** Each booking step's window in GA days (first day, last day), from clinical-reference §1.2. */
const WINDOWS: Record<string, [number, number, string]> = {
  book_v1: [42, 97, 'visit 1 (booking) 6+0–13+6'],
  book_nt: [77, 97, 'NT 11+0–13+6'],
  book_nipt: [84, 160, 'NIPT 12+0–22+6'],
  book_v2: [98, 139, 'visit 2 14+0–19+6'],
  book_serum: [105, 146, 'serum screening 15+0–20+6'],
  book_v3: [140, 174, 'visit 3 anomaly scan 20+0–24+6'],
  book_v4: [168, 202, 'visit 4 OGTT 24+0–28+6'],
  book_v5: [203, 230, 'visit 5 29+0–32+6'],
  book_v6: [231, 258, 'visit 6 33+0–36+6'],
  book_nst: [238, 258, 'NST from 34+0'],
  book_gbs: [245, 265, 'GBS 35+0–37+6'],
  book_weekly: [259, 293, 'visits 7–11 weekly 37+0–41+6'],
};

function windowOf(p: CompiledPathway, stepId: string): [number, number] {
  const t = p.steps.find((s) => s.id === stepId)!.timing;
  const start = t.earliest ?? t.at!;
  expect(start).toMatchObject({ base: 'anchor', anchor: 'ga_base', dateOnly: true });
  expect(t.latest).toMatchObject({ base: 'anchor', anchor: 'ga_base', dateOnly: true });
  return [start.offset / 1440, t.latest!.offset / 1440];
}

describe('prenatal visit windows (2018 guideline)', () => {
  it.each(Object.entries(WINDOWS))('full pregnancy: %s is a butler booking task over its window', (stepId, [lo, hi]) => {
    const step = full.steps.find((s) => s.id === stepId)!;
    expect(step).toMatchObject({ kind: 'task', role: 'butler', produces: { appointment_at: 'datetime', place: 'string' } });
    expect(windowOf(full, stepId)).toEqual([lo, hi]);
  });

  it('every booking task of the golden preview falls inside its GA window', () => {
    for (const e of previewJson('full-pregnancy')) {
      const w = WINDOWS[e['step'] as string];
      if (!w) continue;
      const d = gaDays(e['age'] as string);
      expect(d >= w[0] && d <= w[1], `${e['key']} at ${e['age']} outside ${w[2]}`).toBe(true);
    }
  });

  it('the OGTT booking lies in 24+0–28+6', () => {
    const e = entry(projectTimeline(full, journey()), 'book_v4#1');
    expect(e.code).toBe('ogtt');
    expect(gaDays(e.age!)).toBeGreaterThanOrEqual(gaDays('24+0'));
    expect(gaDays(e.age!)).toBeLessThanOrEqual(gaDays('28+6'));
  });

  it('books weekly visits from 37+0 until delivery', () => {
    const p = projectTimeline(full, journey({ variables: {} }), { assumeEstimates: false, until: ga(300) });
    const weekly = p.entries.filter((e) => e.step === 'book_weekly').map((e) => e.age);
    expect(weekly).toEqual(['37+0', '38+0', '39+0', '40+0', '41+0']);
    const delivered = projectTimeline(full, journey({ events: [{ name: 'delivered', at: ga(269, '03:00') }] }));
    expect(delivered.entries.filter((e) => e.step === 'book_weekly').map((e) => e.age)).toEqual(['37+0', '38+0']);
  });

  it('asks for a doctor review at 41+0 only when the baby has not come', () => {
    const none = projectTimeline(full, journey(), { assumeEstimates: false, until: ga(290) });
    expect(entry(none, 'post_dates_review#1')).toMatchObject({ age: '41+0', status: 'planned' });
    const born = projectTimeline(full, journey({ events: [{ name: 'delivered', at: ga(280) }] }));
    expect(born.entries.some((e) => e.step === 'post_dates_review')).toBe(false);
  });

  it("NIPT or serum screening follows the doctor's plan", () => {
    const serum = projectTimeline(full, journey());
    expect(entry(serum, 'book_serum#1').status).toBe('planned');
    expect(entry(serum, 'book_nipt#1')).toMatchObject({ status: 'skipped', reason: 'condition-false' });
    const nipt = projectTimeline(full, journey({ variables: { screening_plan: 'nipt' } }));
    expect(entry(nipt, 'book_nipt#1')).toMatchObject({ status: 'planned', age: '12+0' });
    expect(entry(nipt, 'book_serum#1')).toMatchObject({ status: 'skipped', reason: 'condition-false' });
  });

  it('plans EPDS in each trimester and after delivery, GAD-7 before birth', () => {
    const p = projectTimeline(full, journey());
    expect(['epds_early#1', 'epds_mid#1', 'epds_late#1', 'gad7_late#1'].map((k) => entry(p, k).age)).toEqual(['12+0', '24+0', '32+0', '36+0']);
    expect(dayDiff(entry(p, 'delivered_milestone#1').at, entry(p, 'epds_2w#1').at)).toBe(14);
    expect(dayDiff(entry(p, 'delivered_milestone#1').at, entry(p, 'epds_6w#1').at)).toBe(42);
  });
});

describe('mid and late packages start and end in their ranges', () => {
  it('mid pregnancy: the antenatal services of 14+0–27+6 (the OGTT to 28+6), and the delivery and postpartum rows the 000 table sells with every package', () => {
    const p = previewJson('mid-pregnancy');
    // 000 rows 6, 13, 14 and 15 are 周期内 for the mid package too.
    const birthAndAfter = new Set([
      'delivery_booking',
      'delivered_milestone',
      'postpartum_archive',
      'postpartum_welcome',
      'postpartum_care_call',
      'course_push_postpartum',
      'book_pp42',
      'satisfaction',
      'closing',
    ]);
    for (const e of p) {
      if (birthAndAfter.has(e['step'] as string)) continue;
      const d = gaDays(e['age'] as string);
      expect(d >= gaDays('14+0') && d <= gaDays('28+6'), `${e['key']} at ${e['age']}`).toBe(true);
    }
    for (const step of birthAndAfter)
      expect(
        p.some((e) => e['step'] === step),
        step,
      ).toBe(true);
    expect(windowOf(mid, 'book_v4')).toEqual([168, 202]);
    expect(windowOf(mid, 'book_nipt')).toEqual([98, 160]);
    expect(mid.events['labour_admission']!.triggers).toEqual(['delivery_escort']);
  });

  it('late pregnancy starts at 28+0 and runs to the 42-day check', () => {
    const p = previewJson('late-pregnancy');
    expect(gaDays(p[0]!['age'] as string)).toBe(gaDays('28+0'));
    expect(p.some((e) => e['step'] === 'book_pp42')).toBe(true);
    expect(p.some((e) => ['book_v2', 'book_v3', 'book_v4'].includes(e['step'] as string))).toBe(false);
  });

  it('enrolment at 22 weeks in the mid package skips the earlier steps with reason late-enrolment and catches up open windows', () => {
    const at = ga(gaDays('22+0'), '10:00');
    const p = plan(mid, journey({ enrolledAt: at, variables: { screening_plan: 'nipt' } }, mid), at);
    const reasons = Object.fromEntries(p.skipped.map((s) => [s.key, s.reason]));
    expect(reasons['book_v2#1']).toBe('late-enrolment');
    expect(reasons['course_push#1']).toBe('late-enrolment');
    expect(reasons['care_call#1']).toBe('late-enrolment');
    const due = p.due.map((a) => a.key);
    expect(due).toEqual(expect.arrayContaining(['welcome_call#1', 'book_v3#1', 'book_nipt#1']));
    // Caught up at once: planned at 20+0, still inside its window (20+0–24+6).
    expect(p.due.find((a) => a.key === 'book_v3#1')).toMatchObject({ plannedAt: ga(140), code: 'anomaly-scan', role: 'butler' });
  });

  it('enrolment at 33 weeks in the late package skips visit 5 and books visit 6 at once', () => {
    const at = ga(gaDays('33+2'), '11:00');
    const p = plan(late, journey({ enrolledAt: at }, late), at);
    expect(p.skipped).toContainEqual(expect.objectContaining({ key: 'book_v5#1', reason: 'late-enrolment' }));
    expect(p.due.map((a) => a.key)).toContain('book_v6#1');
  });

  it('a full-pregnancy enrolment at 16 weeks skips booking and NT explicitly', () => {
    const at = ga(gaDays('16+0'), '10:00');
    const p = plan(full, journey({ enrolledAt: at }), at);
    const reasons = Object.fromEntries(p.skipped.map((s) => [s.key, s.reason]));
    expect([reasons['book_v1#1'], reasons['book_nt#1'], reasons['epds_early#1']]).toEqual(['late-enrolment', 'late-enrolment', 'late-enrolment']);
    expect(p.due.map((a) => a.key)).toEqual(expect.arrayContaining(['book_v2#1', 'book_serum#1', 'welcome#1']));
  });
});

describe('advance notices', () => {
  /** A booked appointment: the booking task completed 5 days before the appointment. */
  function booked(pathway: CompiledPathway, base: JourneyState, source: string, appointment: string): JourneyState {
    const done = new Date(ms(appointment) - 5 * DAY).toISOString();
    return {
      ...base,
      occurrences: { [`${source}#1`]: { issuedAt: done, completedAt: done, data: { appointment_at: appointment, place: '门诊3楼特需诊区' } } },
    };
  }

  const notices = (p: CompiledPathway) => p.steps.filter((s) => s.code === 'advance-notice' && s.origin.type === 'dependent' && s.id !== 'v4_diet_prep');

  it.each(['full-pregnancy', 'mid-pregnancy', 'late-pregnancy'] as ProgramName[])(
    '%s: every booked visit is announced 24–36 h ahead, outside quiet hours, and escorted',
    (name) => {
      const p = program(name);
      const preview = previewJson(name);
      expect(notices(p).length).toBeGreaterThanOrEqual(5);
      for (const step of notices(p)) {
        const source = (step.origin as { source: string }).source;
        const first = preview.find((e) => e['step'] === source)!;
        const day = (first['at'] as string).slice(0, 10);
        for (const clock of ['07:30', '09:00', '14:00', '20:30']) {
          const appointment = `${addDays(day, 7)}T${clock}:00+08:00`;
          const state = booked(p, previewState(name), source, appointment);
          const proj = projectTimeline(p, state, { from: state.occurrences![`${source}#1`]!.completedAt!, until: appointment });
          const n = entry(proj, `${step.id}#1`);
          const lead = ms(appointment) - ms(n.at);
          expect(lead, `${step.id} for ${appointment}`).toBeGreaterThanOrEqual(24 * HOUR);
          expect(lead).toBeLessThanOrEqual(36 * HOUR);
          expect(localMinutes(n.at)).toBeGreaterThanOrEqual(8 * 60);
          expect(localMinutes(n.at)).toBeLessThan(21 * 60);
          const escort = p.steps.find((s) => s.code === 'escort' && s.origin.type === 'dependent' && (s.origin as { source: string }).source === source);
          if (escort) expect(entry(proj, `${escort.id}#1`)).toMatchObject({ role: 'butler', status: 'planned' });
        }
      }
    },
  );

  it('every visit booking of the obstetric programs has a notice and an escort', () => {
    for (const p of [full, mid, late]) {
      const bookings = p.steps.filter((s) => s.kind === 'task' && 'produces' in s && 'appointment_at' in s.produces);
      for (const b of bookings) {
        const followers = p.steps.filter((s) => s.origin.type === 'dependent' && (s.origin as { source: string }).source === b.id);
        expect(
          followers.some((s) => s.code === 'advance-notice'),
          `${p.id} ${b.id} notice`,
        ).toBe(true);
        if (b.id !== 'book_home_visit')
          expect(
            followers.some((s) => s.code === 'escort'),
            `${p.id} ${b.id} escort`,
          ).toBe(true);
      }
    }
  });

  it("the OGTT gets its 3-day diet preparation, and the fasting breakfast goes with the package's fasting exam", () => {
    const appointment = ga(gaDays('25+2'), '08:00');
    const state = booked(full, journey(), 'book_v4', appointment);
    const proj = projectTimeline(full, state, { from: state.occurrences!['book_v4#1']!.completedAt! });
    expect(dayDiff(entry(proj, 'v4_diet_prep#1').at, appointment)).toBe(4);
    expect(full.steps.find((s) => s.id === 'v1_breakfast')).toMatchObject({ consumes: 'fasting_breakfast' });
    expect(mid.steps.find((s) => s.id === 'v4_breakfast')).toMatchObject({ consumes: 'fasting_breakfast' });
    expect(full.steps.find((s) => s.id === 'v1_notice')).toMatchObject({ template: 'notice_booking_visit' });
    expect(mid.steps.find((s) => s.id === 'v4_notice')).toMatchObject({ template: 'notice_ogtt_breakfast' });
    expect(full.entitlements['fasting_breakfast']!.limits).toEqual([{ quota: 1, per: 'journey' }]);
  });
});

describe('EDD re-dating', () => {
  it('moves the delivery booking and every gestational window with the corrected EDD', () => {
    const before = projectTimeline(full, journey());
    const redated = projectTimeline(full, journey({ anchors: { lmp: LMP, edd: addDays(LMP, 280 + 9) } }));
    for (const key of ['delivery_booking#1', 'book_nt#1', 'book_v4#1', 'book_gbs#1']) {
      expect(dayDiff(entry(before, key).at, entry(redated, key).at), key).toBe(9);
    }
    // Age labels follow the corrected dating: the NT booking is still at 11+0.
    expect(entry(redated, 'book_nt#1').age).toBe('11+0');
    expect(entry(redated, 'delivery_booking#1').age).toBe('32+0');
  });

  it('keeps a delivery booking already done where it was', () => {
    const done = journey({
      anchors: { lmp: LMP, edd: addDays(LMP, 287) },
      occurrences: { 'delivery_booking#1': { issuedAt: ga(224), completedAt: ga(225) } },
    });
    expect(plan(full, done, ga(231)).due.map((a) => a.key)).not.toContain('delivery_booking#1');
  });
});

describe('delivery and the postpartum services', () => {
  const birth = ga(gaDays('38+3'), '03:20');
  const delivered = journey({
    events: [
      { id: 'adm', name: 'labour_admission', at: ga(gaDays('38+2'), '23:40') },
      { id: 'd', name: 'delivered', at: birth },
    ],
  });

  it('escorts the admission at once, even at night', () => {
    const p = plan(full, delivered, ga(gaDays('38+2'), '23:40'));
    expect(dueOf(p, 'delivery_escort')).toMatchObject([{ key: 'delivery_escort#e:adm', urgency: 'urgent', role: 'butler', at: ga(gaDays('38+2'), '23:40') }]);
  });

  it('plans archive, home visit, EPDS at 2 and 6 weeks and the 42-day check from the delivery', () => {
    const p = projectTimeline(full, delivered);
    const day = birth.slice(0, 10);
    expect(entry(p, 'postpartum_archive#1').at.slice(0, 10)).toBe(addDays(day, 1));
    expect(entry(p, 'book_home_visit#1').at.slice(0, 10)).toBe(addDays(day, 3)); // discharge assumed day 3
    expect(entry(p, 'epds_2w#1').at.slice(0, 10)).toBe(addDays(day, 14));
    expect(entry(p, 'epds_6w#1').at.slice(0, 10)).toBe(addDays(day, 42));
    expect(entry(p, 'book_pp42#1')).toMatchObject({ code: 'postpartum-42d', role: 'butler' });
    expect(dayDiff(birth, entry(p, 'book_pp42#1').at)).toBe(35);
    expect(p.entries.some((e) => e.step === 'course_push' && ms(e.at) > ms(birth))).toBe(false);
    expect(p.entries.filter((e) => e.step === 'course_push_postpartum')).toHaveLength(4);
  });

  it('times the home visit from the recorded discharge (within a week of it)', () => {
    const state = { ...delivered, events: [...delivered.events!, { id: 'dc', name: 'postnatal_discharge', at: ga(gaDays('38+5'), '11:00') }] };
    const p = projectTimeline(full, state);
    expect(entry(p, 'book_home_visit#1').at).toBe(ga(gaDays('38+5'), '11:00'));
    expect(full.steps.find((s) => s.id === 'book_home_visit')!.timing.latest).toMatchObject({ anchor: 'discharge', offset: 5 * 1440 });
  });
});

describe('pregnancy loss', () => {
  it('ends the journey with a care call, closes open tasks, sends no more reminders', () => {
    const state = journey({
      occurrences: { 'book_v1#1': { issuedAt: ga(42) } },
      events: [{ id: 'l', name: 'pregnancy_loss', at: ga(63, '15:00') }],
    });
    const now = plan(full, state, ga(63, '15:00'));
    expect(now.status).toBe('ended');
    expect(now.cancel).toEqual(['book_v1#1']);
    const after = projectTimeline(full, state, { from: ga(63, '15:00') });
    expect(after.entries.filter((e) => e.status === 'planned').map((e) => e.key)).toEqual(['loss_care_call#e:l', 'loss_psych_followup#e:l']);
    expect(entry(after, 'loss_care_call#e:l')).toMatchObject({ at: ga(63, '16:00'), role: 'butler', code: 'pregnancy-loss-care' });
  });
});

describe('EPDS rules: score ≥13 or any self-harm answer → urgent clinician task', () => {
  const birth = '2027-10-20T04:00:00+08:00';
  const answered = (items: Record<string, number>, at = '2027-11-03T23:10:00+08:00'): JourneyState =>
    journey({
      events: [{ name: 'delivered', at: birth }],
      occurrences: { 'epds_2w#1': { issuedAt: '2027-11-03T09:00:00+08:00', completedAt: at, data: { items } } },
    });
  const items = (scores: number[]) => Object.fromEntries(scores.map((s, i) => [`q${i + 1}`, s]));
  const psych = (state: JourneyState, now: string) =>
    dueOf(plan(full, state, now), 'self_harm_escalation', 'psych_urgent_call', 'crisis_message', 'psych_watch_call', 'epds_repeat');

  it('score 13 with item 10 = 0 → urgent psychologist call at once, even at 23:10', () => {
    const due = psych(answered(items([2, 2, 2, 2, 2, 1, 1, 1, 0, 0])), '2027-11-03T23:10:00+08:00');
    expect(due).toMatchObject([
      { key: 'psych_urgent_call#epds_2w#1', kind: 'task', urgency: 'urgent', role: 'psychologist', slaMinutes: 60, at: '2027-11-03T23:10:00+08:00' },
    ]);
  });

  it('any self-harm answer (item 10 > 0) with a low total → the on-duty clinician at once, the counsellor and the crisis message', () => {
    const due = psych(answered(items([0, 0, 0, 0, 0, 0, 0, 0, 0, 1])), '2027-11-03T23:10:00+08:00');
    expect(due.map((a) => a.key).sort()).toEqual(['crisis_message#epds_2w#1', 'psych_urgent_call#epds_2w#1', 'self_harm_escalation#epds_2w#1']);
    expect(due.find((a) => a.step === 'self_harm_escalation')).toMatchObject({
      kind: 'escalation',
      role: 'on_call',
      severity: 'urgent',
      slaMinutes: 15,
      at: '2027-11-03T23:10:00+08:00',
    });
    expect(due.every((a) => a.urgency === 'urgent')).toBe(true);
  });

  it('10–12 → a call within 2 days and a repeat EPDS two weeks later; below 10 → nothing', () => {
    const watch = answered(items([2, 2, 1, 2, 1, 1, 1, 1, 0, 0]), '2027-11-03T20:00:00+08:00');
    expect(psych(watch, '2027-11-03T20:00:00+08:00').map((a) => a.key)).toEqual(['psych_watch_call#epds_2w#1']);
    expect(psych(watch, '2027-11-17T20:00:00+08:00').map((a) => a.key)).toContain('epds_repeat#epds_2w#1');
    expect(psych(answered(items([1, 1, 1, 1, 1, 0, 0, 0, 0, 0]), '2027-11-03T20:00:00+08:00'), '2027-11-03T20:00:00+08:00')).toEqual([]);
  });

  it('the same rules apply to the antenatal EPDS', () => {
    const state = journey({
      occurrences: { 'epds_mid#1': { issuedAt: ga(168), completedAt: ga(168, '21:30'), data: { items: items([0, 0, 0, 0, 0, 0, 0, 0, 0, 2]) } } },
    });
    expect(
      dueOf(plan(full, state, ga(168, '21:30')), 'psych_urgent_call', 'crisis_message')
        .map((a) => a.key)
        .sort(),
    ).toEqual(['crisis_message#epds_mid#1', 'psych_urgent_call#epds_mid#1']);
  });
});

describe('home monitoring escalation tiers', () => {
  const reading = (
    metric: string,
    values: Record<string, number | boolean>,
    at = ga(gaDays('30+2'), '23:30'),
    variables: Record<string, number | boolean | string> = {},
  ) => journey({ readings: [{ id: 'r1', metric, at, values }], variables });
  const tiers = (state: JourneyState, now: string) =>
    plan(full, state, now)
      .due.filter((a) => /^(e3_call|e2_call|e1_review|e1_dietitian|urgent_safety_message|sameday_message)#/.test(a.key))
      .map((a) => `${a.step}@${a.at.slice(11, 16)}`)
      .sort();

  it('severe-range BP → E3 to the on-call clinician and the go-to-hospital message, at once at night', () => {
    expect(tiers(reading('blood_pressure', { sbp: 165, dbp: 95, symptoms: false }), ga(gaDays('30+2'), '23:30'))).toEqual([
      'e3_call@23:30',
      'urgent_safety_message@23:30',
    ]);
  });

  it('≥140/90 without symptoms → E2 next morning; with headache or visual disturbance → E3', () => {
    const night = ga(gaDays('30+2'), '23:30');
    expect(tiers(reading('blood_pressure', { sbp: 145, dbp: 92, symptoms: false }), night)).toEqual([]);
    expect(tiers(reading('blood_pressure', { sbp: 145, dbp: 92, symptoms: false }), ga(gaDays('30+3'), '08:00'))).toEqual([
      'e2_call@08:00',
      'sameday_message@08:00',
    ]);
    expect(tiers(reading('blood_pressure', { sbp: 142, dbp: 88, symptoms: true }), night)).toEqual(['e3_call@23:30', 'urgent_safety_message@23:30']);
    expect(tiers(reading('blood_pressure', { sbp: 128, dbp: 82, symptoms: false }), ga(gaDays('30+3'), '08:00'))).toEqual([]);
  });

  it('fewer than 10 fetal movements in 2 hours, or a perceived reduction → E3', () => {
    const night = ga(gaDays('30+2'), '23:30');
    expect(tiers(reading('fetal_movement', { count_2h: 6, reduced: false }), night)).toEqual(['e3_call@23:30', 'urgent_safety_message@23:30']);
    expect(tiers(reading('fetal_movement', { count_2h: 14, reduced: true }), night)).toEqual(['e3_call@23:30', 'urgent_safety_message@23:30']);
    expect(tiers(reading('fetal_movement', { count_2h: 14, reduced: false }), night)).toEqual([]);
  });

  it('weekly weight gain outside the WS/T 801 range for the pre-pregnancy BMI → dietitian; >1 kg → nurse today', () => {
    const day = ga(gaDays('30+2'), '10:00');
    const w = (gain: number, bmi: number, singleton = true) =>
      tiers(reading('weight', { weight_kg: 62, gain_7d_kg: gain }, day, { prepregnancy_bmi: bmi, singleton }), day);
    expect(w(0.4, 21.0)).toEqual([]); // normal BMI: 0.26–0.48
    expect(w(0.55, 21.0)).toEqual(['e1_dietitian@10:00']);
    expect(w(0.55, 17.5)).toEqual([]); // underweight: 0.37–0.56
    expect(w(0.35, 26.0)).toEqual([]); // overweight: 0.22–0.37
    expect(w(0.35, 29.0)).toEqual(['e1_dietitian@10:00']); // obese: 0.15–0.30
    expect(w(0.55, 21.0, false)).toEqual([]); // twins: the standard does not apply
    expect(w(1.2, 21.0)).toEqual(['e1_dietitian@10:00', 'e2_call@10:00', 'sameday_message@10:00']);
  });

  it('GDM glucose: out of target → E1, <3.3 or ≥11.1 → E2, <3.0 → E3', () => {
    const day = ga(gaDays('30+2'), '10:00');
    const g = (value: number, timepoint: number) => tiers(reading('glucose', { value, timepoint }, day, { gdm: true }), day);
    expect(g(5.2, 0)).toEqual([]);
    expect(g(5.6, 0)).toEqual(['e1_review@10:00']);
    expect(g(7.5, 1)).toEqual([]);
    expect(g(7.0, 2)).toEqual(['e1_review@10:00']);
    expect(g(3.1, 0)).toEqual(['e2_call@10:00', 'sameday_message@10:00']);
    expect(g(12.0, 2)).toEqual(['e2_call@10:00', 'sameday_message@10:00']);
    expect(g(2.8, 3)).toEqual(['e3_call@10:00', 'urgent_safety_message@10:00']);
  });

  it('red-flag symptoms → E3; self-harm thoughts → urgent psychologist call and crisis message', () => {
    const none = {
      vaginal_bleeding: false,
      fluid_leak: false,
      regular_contractions: false,
      severe_headache_or_blurred_vision: false,
      reduced_fetal_movement: false,
      chest_pain_or_breathless: false,
      seizure_or_fainting: false,
      calf_pain_or_swelling: false,
      thoughts_of_self_harm: false,
      generalised_itching: false,
      persistent_vomiting: false,
    };
    const night = ga(gaDays('30+2'), '23:30');
    expect(tiers(reading('symptoms', { ...none, fluid_leak: true }), night)).toEqual(['e3_call@23:30', 'urgent_safety_message@23:30']);
    expect(tiers(reading('symptoms', { ...none, generalised_itching: true }), ga(gaDays('30+3'), '08:00'))).toEqual(['e2_call@08:00', 'sameday_message@08:00']);
    const selfHarm = plan(full, reading('symptoms', { ...none, thoughts_of_self_harm: true }), night);
    expect(dueOf(selfHarm, 'psych_urgent_call', 'crisis_message').map((a) => a.urgency)).toEqual(['urgent', 'urgent']);
  });
});
