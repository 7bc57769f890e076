/**
 * Post-checkup programs (002) and the chronic diabetes program (003): screening rules over the
 * structured report values, per-group follow-ups and rechecks, entitlements, the doctor's approval
 * gate, and the home-reading tiers.
 */
import { describe, expect, it } from 'vitest';
import { dayDiff, dueOf, entry, plan, program, projectTimeline, type CompiledPathway, type JourneyState } from './helpers.ts';
import { Planner } from '../../pathway/planner/index.ts';

const premium = program('post-checkup-premium');
const basic = program('post-checkup-basic');
const diabetes = program('diabetes-home');
const CHECKUP = '2027-03-01';
const person = (variables: Record<string, number | string | boolean>, extra: Partial<JourneyState> = {}): JourneyState => ({
  enrolledAt: `${CHECKUP}T10:00:00+08:00`,
  anchors: { checkup: CHECKUP },
  variables,
  ...extra,
});
const NORMAL = { sbp: 118, dbp: 76, fasting_glucose: 5.0, ldl: 2.6, tg: 1.2, alt: 22, uric_acid: 300, bmi: 22.0 };
const planned = (p: ReturnType<typeof projectTimeline>, step: string) => p.entries.filter((e) => e.step === step && e.status === 'planned');

/** group → a finding that enters it → the recheck it schedules and the programme interval (days). */
const GROUPS: [string, Record<string, number | string | boolean>, string, number][] = [
  ['bp', { sbp: 146, dbp: 88 }, 'bp_recheck', 56],
  ['bp', { sbp: 134, dbp: 80 }, 'bp_watch_recheck', 182],
  ['glucose', { fasting_glucose: 6.5 }, 'glucose_recheck', 84],
  ['lipids', { ldl: 4.4 }, 'lipid_recheck', 84],
  ['liver', { alt: 70 }, 'liver_recheck', 56],
  ['uric', { uric_acid: 470 }, 'uric_recheck', 84],
  ['thyroid', { thyroid_ctirads: '3' }, 'thyroid_recheck', 336],
  ['lung', { lung_nodule_followup_months: 6 }, 'lung_recheck_6m', 182],
  ['lung', { lung_nodule_followup_months: 12 }, 'lung_recheck_12m', 336],
];

describe.each([
  ['premium', premium],
  ['basic', basic],
] as [string, CompiledPathway][])('post-checkup %s: screening rules place the person in management groups', (_, pathway) => {
  it.each(GROUPS)('%s group (%o) → education and 6 follow-ups in the year, recheck %s at day %i', (group, finding, recheck, day) => {
    const p = projectTimeline(pathway, person({ ...NORMAL, ...finding }));
    expect(planned(p, `${group}_education`)).toHaveLength(6);
    const followups = planned(p, `${group}_followup`);
    expect(followups).toHaveLength(6);
    expect(followups.every((f) => dayDiff(`${CHECKUP}T00:00:00+08:00`, f.at) <= 365)).toBe(true);
    expect(dayDiff(`${CHECKUP}T00:00:00+08:00`, entry(p, `${recheck}#1`).at)).toBe(day);
    expect(entry(p, `${recheck}#1`)).toMatchObject({ status: 'planned', code: 'recheck' });
  });

  it('a person with normal values is in no group: every group step is skipped with condition-false', () => {
    const p = projectTimeline(pathway, person(NORMAL));
    const groupSteps = p.entries.filter((e) => /_(education|followup|recheck|referral)/.test(e.step));
    expect(groupSteps.length).toBeGreaterThan(0);
    expect(groupSteps.every((e) => e.status === 'skipped' && e.reason === 'condition-false')).toBe(true);
  });

  it('thresholds that need a doctor soon book the specialist or call the same day', () => {
    const p = plan(
      pathway,
      person({ ...NORMAL, sbp: 166, dbp: 102, fasting_glucose: 7.4, ldl: 5.2, tg: 6.1, alt: 230, thyroid_ctirads: '4A', lung_nodule_refer: true }),
      `${CHECKUP}T10:00:00+08:00`,
    );
    const keys = p.due.map((a) => a.key);
    expect(keys).toEqual(
      expect.arrayContaining([
        'bp_referral#1',
        'glucose_referral#1',
        'lipid_referral#1',
        'thyroid_referral#1',
        'lung_referral#1',
        'tg_sameday#1',
        'alt_sameday#1',
      ]),
    );
    expect(p.due.find((a) => a.key === 'tg_sameday#1')).toMatchObject({ kind: 'escalation', severity: 'same-day', role: 'doctor' });
  });

  it('an A类 critical finding goes to a doctor at once, even at night', () => {
    const p = plan(pathway, person({ ...NORMAL, critical_finding: true }, { enrolledAt: `${CHECKUP}T22:30:00+08:00` }), `${CHECKUP}T22:30:00+08:00`);
    expect(dueOf(p, 'critical_finding_check')).toMatchObject([{ urgency: 'urgent', role: 'doctor', channels: ['phone'] }]);
  });

  it('a missing report value leaves its group empty and says so in the plan warnings', () => {
    const { ldl: _ldl, tg: _tg, ...withoutLipids } = NORMAL;
    const p = plan(pathway, person(withoutLipids), `${CHECKUP}T10:00:00+08:00`);
    expect(p.warnings.some((w) => w.includes('ldl'))).toBe(true);
  });

  it('home blood pressure after a raised reading: ≥180/110 → E3 at once; ≥160/100 → E2 in the morning', () => {
    const state = (values: Record<string, number>, at: string) =>
      person({ ...NORMAL, sbp: 150, dbp: 95 }, { readings: [{ id: 'b1', metric: 'blood_pressure', at, values }] });
    const e3 = plan(pathway, state({ home_sbp: 186, home_dbp: 104 }, '2027-03-05T22:10:00+08:00'), '2027-03-05T22:10:00+08:00');
    expect(
      e3.due
        .filter((a) => a.source === 'r:b1')
        .map((a) => a.step)
        .sort(),
    ).toEqual(['e3_call', 'urgent_safety_message']);
    const e2 = plan(pathway, state({ home_sbp: 164, home_dbp: 96 }, '2027-03-05T22:10:00+08:00'), '2027-03-06T08:00:00+08:00');
    expect(
      e2.due
        .filter((a) => a.source === 'r:b1')
        .map((a) => a.step)
        .sort(),
    ).toEqual(['e2_call', 'sameday_message']);
  });

  it('a booked recheck is announced 24–36 h ahead (fasting text for lipids), then goes to a doctor for interpretation 2 days later', () => {
    const state = person(
      { ...NORMAL, ldl: 4.6 },
      {
        occurrences: {
          'lipid_recheck#1': {
            issuedAt: '2027-05-24T09:00:00+08:00',
            completedAt: '2027-05-24T15:00:00+08:00',
            data: { appointment_at: '2027-05-29T07:30:00+08:00', place: '体检中心2楼' },
          },
        },
      },
    );
    const p = projectTimeline(pathway, state, { from: '2027-05-24T15:00:00+08:00', until: '2027-06-05T00:00:00+08:00' });
    // 36 h before a 07:30 draw: 19:30 two days before (quiet hours never push it under 24 h).
    expect(entry(p, 'lipid_recheck_notice#1').at).toBe('2027-05-27T19:30:00+08:00');
    expect(pathway.steps.find((s) => s.id === 'lipid_recheck_notice')).toMatchObject({ template: 'notice_recheck_fasting' });
    expect(entry(p, 'lipid_recheck_review#1')).toMatchObject({ at: '2027-05-31T08:00:00+08:00', role: 'doctor' });
  });
});

describe('entitlements by package', () => {
  it('consultations 24 a year and 2 a month in both packages; 3 green-channel visits', () => {
    for (const p of [premium, basic]) {
      expect(p.entitlements['consultation']!.limits).toEqual([
        { quota: 24, per: 'year' },
        { quota: 2, per: 'month' },
      ]);
      expect(p.entitlements['green_channel']!.limits).toEqual([{ quota: 3, per: 'year' }]);
    }
    const used = person(NORMAL, {
      consumptions: [
        { entitlement: 'consultation', at: '2027-03-03T10:00:00+08:00' },
        { entitlement: 'consultation', at: '2027-03-20T10:00:00+08:00' },
      ],
    });
    expect(plan(basic, used, '2027-03-25T10:00:00+08:00').entitlements['consultation']).toEqual({ remaining: 0, used: 2, enforced: false });
    expect(plan(basic, used, '2027-04-02T10:00:00+08:00').entitlements['consultation']).toEqual({ remaining: 2, used: 0, enforced: false });
  });

  it('consultations are a counter (002: 不限服务次数，按每月2次…收取费用), green-channel visits a cap of 3 a year', () => {
    for (const p of [premium, basic]) {
      expect(p.entitlements['consultation']!.enforced).toBe(false);
      expect(p.entitlements['green_channel']!.enforced).toBeUndefined();
    }
    // Thirty consultations in the first year, three in one month: all recorded, the balance says how far past the basis.
    const uses = Array.from({ length: 30 }, (_, i) => ({
      entitlement: 'consultation',
      at: `2027-${String(3 + Math.floor(i / 3)).padStart(2, '0')}-${String(2 + (i % 3) * 9).padStart(2, '0')}T10:00:00+08:00`,
      ref: `c${i}`,
    }));
    const state = person(NORMAL, { consumptions: uses.filter((u) => u.at < '2028-01-01') });
    const planner = new Planner(premium, state);
    expect(planner.balance('consultation', Date.parse('2027-12-30T12:00:00+08:00'))).toEqual({ remaining: 0, used: 30, enforced: false });
    expect(planner.balance('green_channel', Date.parse('2027-12-30T12:00:00+08:00'))).toEqual({ remaining: 3, used: 0 });
  });

  it('courses: 24 a year in premium, 6 in basic, each release using one', () => {
    const pp = projectTimeline(premium, person(NORMAL));
    const pb = projectTimeline(basic, person(NORMAL));
    expect(planned(pp, 'course_release')).toHaveLength(24);
    expect(planned(pb, 'course_release')).toHaveLength(6);
    expect(premium.entitlements['courses']!.limits).toEqual([{ quota: 24, per: 'year' }]);
    expect(basic.entitlements['courses']!.limits).toEqual([{ quota: 6, per: 'year' }]);
    const issued = Object.fromEntries([1, 2, 3, 4, 5, 6].map((n) => [`course_release#${n}`, { issuedAt: `2027-0${n + 2}-15T20:00:00+08:00` }]));
    expect(plan(basic, person(NORMAL, { occurrences: issued }), '2027-12-20T10:00:00+08:00').entitlements['courses']).toEqual({ remaining: 0, used: 6 });
  });
});

describe('personalised report (premium): released only after a doctor approves it', () => {
  const written = { 'write_report#1': { issuedAt: '2027-03-04T09:00:00+08:00', completedAt: '2027-03-05T16:00:00+08:00' } };

  it('the team writes it, a doctor must approve it, only then is it sent', () => {
    const p = plan(premium, person(NORMAL, { occurrences: written }), '2027-03-05T16:00:00+08:00');
    expect(dueOf(p, 'report_approval', 'report_release')).toMatchObject([
      { key: 'report_approval#1', kind: 'approval', role: 'doctor', code: 'report-approval' },
    ]);
  });

  it('approved → released; rejected → nothing is sent', () => {
    const decided = (approved: boolean) =>
      person(NORMAL, {
        occurrences: {
          ...written,
          'report_approval#1': { issuedAt: '2027-03-05T16:00:00+08:00', completedAt: '2027-03-06T11:00:00+08:00', data: { approved } },
        },
      });
    expect(dueOf(plan(premium, decided(true), '2027-03-06T11:00:00+08:00'), 'report_release')).toMatchObject([
      { key: 'report_release#1', template: 'report_ready' },
    ]);
    expect(dueOf(plan(premium, decided(false), '2027-03-06T11:00:00+08:00'), 'report_release')).toEqual([]);
  });

  it('the basic package has no personalised report', () => {
    expect(basic.steps.some((s) => ['write_report', 'report_approval', 'report_release'].includes(s.id))).toBe(false);
  });
});

describe('chronic disease: diabetes at home (003)', () => {
  const start = (extra: Partial<JourneyState> = {}): JourneyState => ({
    enrolledAt: '2027-03-01T09:00:00+08:00',
    anchors: { enrolled_on: '2027-03-01' },
    ...extra,
  });

  it('revisits every 12 weeks with a notice, monthly cohort follow-ups, two satisfaction call-backs', () => {
    const p = projectTimeline(diabetes, start());
    expect(planned(p, 'book_revisit').map((e) => e.age)).toEqual(['D+77', 'D+161', 'D+245', 'D+329']);
    expect(planned(p, 'cohort_followup')).toHaveLength(12);
    expect(planned(p, 'satisfaction_1m').length + planned(p, 'satisfaction_12m').length).toBe(2);
    expect(diabetes.steps.find((s) => s.id === 'revisit_notice')).toMatchObject({
      code: 'advance-notice',
      origin: { type: 'dependent', source: 'book_revisit' },
    });
  });

  it('glucose readings: <3.0 or ≥16.7 with symptoms → E3; 3.0–3.8 → E2; above target → E1', () => {
    const at = '2027-04-02T02:15:00+08:00';
    const tiers = (values: Record<string, number | boolean>, now = at) =>
      plan(diabetes, start({ readings: [{ id: 'g', metric: 'glucose', at, values }] }), now)
        .due.filter((a) => a.source === 'r:g')
        .map((a) => a.step)
        .sort();
    expect(tiers({ value: 2.7, timepoint: 3, symptoms: false })).toEqual(['e3_call', 'urgent_safety_message']);
    expect(tiers({ value: 18.2, timepoint: 2, symptoms: true })).toEqual(['e3_call', 'urgent_safety_message']);
    expect(tiers({ value: 3.5, timepoint: 0, symptoms: false }, '2027-04-02T08:00:00+08:00')).toEqual(['e2_call', 'sameday_message']);
    expect(tiers({ value: 8.1, timepoint: 0, symptoms: false }, '2027-04-02T08:00:00+08:00')).toEqual(['e1_review']);
    expect(tiers({ value: 9.4, timepoint: 2, symptoms: false }, '2027-04-02T08:00:00+08:00')).toEqual([]);
  });

  it('PHQ-9 item 9 > 0 → urgent call and crisis message; a low satisfaction score → service recovery', () => {
    const phq = start({
      occurrences: {
        'phq9_start#1': { issuedAt: '2027-03-02T09:00:00+08:00', completedAt: '2027-03-02T22:00:00+08:00', data: { items: { q1: 1, q2: 1, q9: 1 } } },
      },
    });
    expect(dueOf(plan(diabetes, phq, '2027-03-02T22:00:00+08:00'), 'psych_urgent_call', 'crisis_message').map((a) => a.urgency)).toEqual(['urgent', 'urgent']);
    const sat = start({
      occurrences: {
        'satisfaction_1m#1': {
          issuedAt: '2027-03-31T09:00:00+08:00',
          completedAt: '2027-03-31T10:00:00+08:00',
          data: { items: { q1: 4, q2: 4, q3: 4, q4: 4, q5: 2 } },
        },
      },
    });
    expect(dueOf(plan(diabetes, sat, '2027-03-31T10:00:00+08:00'), 'service_recovery')).toMatchObject([{ role: 'coordinator' }]);
  });
});
