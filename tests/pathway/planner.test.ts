/** Planner scenarios on the example pregnancy, IVF and post-checkup pathways (Asia/Shanghai). */
import { describe, expect, it } from 'vitest';
import { plan, projectTimeline, resolvedAnchors } from '../../pathway/planner/index.ts';
import type { JourneyState } from '../../pathway/planner/index.ts';
import { compiled } from './helpers.ts';

const pregnancy = compiled('valid/pregnancy.yaml');
const ivf = compiled('valid/ivf.yaml');
const postCheckup = compiled('valid/post-checkup.yaml');
const holidays = compiled('valid/holidays.yaml');

/** A pregnancy journey with LMP 2027-01-15 (EDD 2027-10-22), enrolled on the LMP day. */
function journey(extra: Partial<JourneyState> = {}): JourneyState {
  return { enrolledAt: '2027-01-15T10:00:00+08:00', anchors: { lmp: '2027-01-15' }, ...extra };
}
const keys = (p: ReturnType<typeof plan>) => p.due.map((a) => a.key);
/** Due actions of some steps only (the test states do not record every earlier step). */
const dueOf = (p: ReturnType<typeof plan>, ...steps: string[]) => p.due.filter((a) => steps.includes(a.step));

describe('planner: schedule, windows and wake-ups', () => {
  it('sleeps until the first step and reports the stage', () => {
    const p = plan(pregnancy, journey(), '2027-01-15T10:00:00+08:00');
    expect(p).toMatchObject({ status: 'active', stage: 'first_trimester', due: [], skipped: [], nextWakeAt: '2027-02-26T09:00:00+08:00' });
  });

  it('issues a task with everything the activity needs', () => {
    const p = plan(pregnancy, journey(), '2027-02-26T09:00:00+08:00');
    expect(p.due).toEqual([
      {
        key: 'book_booking_visit#1',
        type: 'issue',
        step: 'book_booking_visit',
        kind: 'task',
        code: 'booking-visit',
        title: '预约建册',
        stage: 'first_trimester',
        urgency: 'routine',
        plannedAt: '2027-02-26T09:00:00+08:00',
        at: '2027-02-26T09:00:00+08:00',
        role: 'butler',
        slaMinutes: 2880,
        escalation: [{ after: 2880, role: 'coordinator', channels: [], urgency: 'routine' }],
        produces: { appointment_at: 'datetime' },
      },
    ]);
  });

  it('escalates an open task after its delay, not once it is done', () => {
    const open = journey({ occurrences: { 'book_booking_visit#1': { issuedAt: '2027-02-26T09:00:00+08:00' } } });
    expect(plan(pregnancy, open, '2027-02-27T09:00:00+08:00').nextWakeAt).toBe('2027-02-28T09:00:00+08:00');
    const late = plan(pregnancy, open, '2027-02-28T09:00:00+08:00');
    expect(late.due).toMatchObject([{ key: 'book_booking_visit#1/escalate-1', type: 'escalate', role: 'coordinator', source: 'book_booking_visit#1' }]);
    const done = journey({ occurrences: { 'book_booking_visit#1': { issuedAt: '2027-02-26T09:00:00+08:00', completedAt: '2027-02-27T09:00:00+08:00' } } });
    expect(keys(plan(pregnancy, done, '2027-02-28T09:00:00+08:00'))).toEqual([]);
  });

  it('skips a window that passed while nothing ran', () => {
    const p = plan(pregnancy, journey(), '2027-04-23T10:00:00+08:00');
    expect(p.skipped).toContainEqual({
      key: 'book_booking_visit#1',
      step: 'book_booking_visit',
      plannedAt: '2027-02-26T09:00:00+08:00',
      reason: 'window-passed',
    });
  });

  it('marks earlier steps skipped on late enrolment and catches up open windows', () => {
    const late = journey({ enrolledAt: '2027-06-20T10:00:00+08:00' });
    const p = plan(pregnancy, late, '2027-06-20T10:00:00+08:00');
    const reasons = Object.fromEntries(p.skipped.map((s) => [s.key, s.reason]));
    expect(reasons['book_booking_visit#1']).toBe('late-enrolment');
    expect(reasons['book_nt#1']).toBe('late-enrolment');
    expect(reasons['education#3']).toBe('late-enrolment');
    expect(keys(p)).toContain('anomaly_scan#1');
    expect(p.due.find((a) => a.key === 'anomaly_scan#1')).toMatchObject({ plannedAt: '2027-06-04T09:00:00+08:00', at: '2027-06-04T09:00:00+08:00' });
  });

  it('evaluates conditions when the occurrence comes due', () => {
    const at = '2027-09-10T09:00:00+08:00';
    const low = journey({ occurrences: {} });
    expect(plan(pregnancy, low, at).skipped).toContainEqual(expect.objectContaining({ key: 'nst_weekly#1', reason: 'condition-false' }));
    expect(keys(plan(pregnancy, journey({ variables: { high_risk: true } }), at))).toContain('nst_weekly#1');
  });
});

describe('planner: data from other steps', () => {
  const booked = (appointment: string, done = '2027-04-03T10:00:00+08:00'): JourneyState =>
    journey({ occurrences: { 'book_nt#1': { issuedAt: '2027-04-02T09:00:00+08:00', completedAt: done, data: { appointment_at: appointment } } } });

  it('sends the advance notice 1 day before the booked time', () => {
    const state = booked('2027-04-10T09:30:00+08:00');
    expect(plan(pregnancy, state, '2027-04-03T10:00:00+08:00').nextWakeAt).toBe('2027-04-09T09:30:00+08:00');
    expect(dueOf(plan(pregnancy, state, '2027-04-09T09:30:00+08:00'), 'nt_notice')).toMatchObject([
      { key: 'nt_notice#1', template: 'visit_notice', channels: ['wechat'], audience: 'patient', source: 'book_nt#1' },
    ]);
  });

  it('sends it at once when the booking is less than a day ahead', () => {
    const state = booked('2027-04-03T15:00:00+08:00');
    expect(dueOf(plan(pregnancy, state, '2027-04-03T10:00:00+08:00'), 'nt_notice')).toMatchObject([{ key: 'nt_notice#1', at: '2027-04-03T10:00:00+08:00' }]);
  });

  it('releases a report only after the approval is granted', () => {
    const base = { enrolledAt: '2027-03-01T09:00:00+08:00', anchors: { checkup: '2027-03-01' } };
    const approved = {
      ...base,
      occurrences: { 'report_approval#1': { issuedAt: '2027-03-04T09:00:00+08:00', completedAt: '2027-03-05T11:00:00+08:00', data: { approved: true } } },
    };
    const rejected = {
      ...base,
      occurrences: { 'report_approval#1': { issuedAt: '2027-03-04T09:00:00+08:00', completedAt: '2027-03-05T11:00:00+08:00', data: { approved: false } } },
    };
    expect(keys(plan(postCheckup, approved, '2027-03-05T11:00:00+08:00'))).toEqual(['report_release#1']);
    expect(keys(plan(postCheckup, rejected, '2027-03-05T11:00:00+08:00'))).toEqual([]);
  });
});

describe('planner: quiet hours and urgency', () => {
  it('defers a routine message planned at 07:00 to 08:00', () => {
    const state = journey({
      occurrences: {
        'book_nt#1': { issuedAt: '2027-04-02T09:00:00+08:00', completedAt: '2027-04-03T10:00:00+08:00', data: { appointment_at: '2027-04-10T07:00:00+08:00' } },
      },
    });
    const night = plan(pregnancy, state, '2027-04-09T07:00:00+08:00');
    expect(night.due).toEqual([]);
    expect(night.nextWakeAt).toBe('2027-04-09T08:00:00+08:00');
    expect(dueOf(plan(pregnancy, state, '2027-04-09T08:00:00+08:00'), 'nt_notice')).toMatchObject([
      { key: 'nt_notice#1', plannedAt: '2027-04-09T07:00:00+08:00', at: '2027-04-09T08:00:00+08:00' },
    ]);
  });

  it('holds an overdue routine action when the plan runs at night', () => {
    const p = plan(pregnancy, journey(), '2027-03-12T23:00:00+08:00');
    expect(keys(p)).not.toContain('education#1');
    expect(p.nextWakeAt).toBe('2027-03-13T08:00:00+08:00');
  });

  it('lets urgent escalations through at night', () => {
    const state = journey({ readings: [{ id: 'r1', metric: 'blood_pressure', at: '2027-06-10T23:30:00+08:00', values: { sbp: 165, dbp: 95 } }] });
    const p = plan(pregnancy, state, '2027-06-10T23:30:00+08:00');
    expect(p.due).toMatchObject([
      {
        key: 'bp_urgent#r:r1',
        kind: 'escalation',
        urgency: 'urgent',
        severity: 'urgent',
        role: 'obstetrician',
        channels: ['phone'],
        at: '2027-06-10T23:30:00+08:00',
        slaMinutes: 15,
      },
    ]);
    const normal = journey({ readings: [{ id: 'r2', metric: 'blood_pressure', at: '2027-06-10T23:30:00+08:00', values: { sbp: 120, dbp: 80 } }] });
    expect(keys(plan(pregnancy, normal, '2027-06-10T23:30:00+08:00'))).toEqual([]);
  });

  it('puts the IVF trigger confirmation at the signalled minute and escalates to the nurse after 30 min', () => {
    const state: JourneyState = {
      enrolledAt: '2027-03-01T09:00:00+08:00',
      anchors: { cycle_start: '2027-03-01' },
      events: [{ name: 'trigger_given', at: '2027-03-12T21:15:00+08:00' }],
    };
    expect(plan(ivf, state, '2027-03-12T21:15:00+08:00').due).toMatchObject([{ key: 'trigger_confirm#1', at: '2027-03-12T21:15:00+08:00', urgency: 'urgent' }]);
    const issued = { ...state, occurrences: { 'trigger_confirm#1': { issuedAt: '2027-03-12T21:15:00+08:00' } } };
    expect(plan(ivf, issued, '2027-03-12T21:45:00+08:00').due).toMatchObject([
      { key: 'trigger_confirm#1/escalate-1', role: 'nurse', channels: ['phone'], urgency: 'urgent' },
    ]);
    const retrieval = projectTimeline(ivf, state).entries.find((e) => e.step === 'retrieval');
    expect(retrieval?.at).toBe('2027-03-14T09:15:00+08:00');
  });
});

describe('planner: questionnaires', () => {
  const delivered = { events: [{ name: 'delivered', at: '2027-10-20T04:00:00+08:00' }] };
  const answered = (items: Record<string, number>): JourneyState =>
    journey({
      ...delivered,
      occurrences: { 'epds_2w#1': { issuedAt: '2027-11-03T09:00:00+08:00', completedAt: '2027-11-03T20:00:00+08:00', data: { items } } },
    });

  it('pushes the EPDS 14 days after delivery', () => {
    expect(keys(plan(pregnancy, journey(delivered), '2027-11-03T09:00:00+08:00'))).toContain('epds_2w#1');
  });

  it('triggers an urgent clinician call on a score of 13 or more, or any self-harm answer', () => {
    const below = plan(pregnancy, answered({ q1: 3, q2: 3, q3: 3, q10: 0, unknown_item: 9 }), '2027-11-03T20:00:00+08:00');
    expect(dueOf(below, 'epds_clinician_call')).toEqual([]);
    const high = plan(pregnancy, answered({ q1: 3, q2: 3, q3: 3, q10: 3 }), '2027-11-03T21:30:00+08:00');
    expect(dueOf(high, 'epds_clinician_call')).toMatchObject([
      { key: 'epds_clinician_call#epds_2w#1', urgency: 'urgent', role: 'psychologist', at: '2027-11-03T20:00:00+08:00' },
    ]);
    const selfHarm = plan(pregnancy, answered({ q1: 0, q2: 0, q3: 0, q10: 1 }), '2027-11-03T20:00:00+08:00');
    expect(dueOf(selfHarm, 'epds_clinician_call').map((a) => a.key)).toEqual(['epds_clinician_call#epds_2w#1']);
    expect(dueOf(plan(pregnancy, answered({ q1: 1, q2: 1, q3: 1, q10: 0 }), '2027-11-03T20:00:00+08:00'), 'epds_clinician_call')).toEqual([]);
  });

  it('reminds twice, two days apart, until answered', () => {
    const open = journey({ ...delivered, occurrences: { 'epds_2w#1': { issuedAt: '2027-11-03T09:00:00+08:00' } } });
    expect(dueOf(plan(pregnancy, open, '2027-11-05T09:00:00+08:00'), 'epds_2w').map((a) => [a.key, a.type])).toEqual([['epds_2w#1/remind-1', 'remind']]);
    const once = { ...open, occurrences: { ...open.occurrences, 'epds_2w#1/remind-1': { issuedAt: '2027-11-05T09:00:00+08:00' } } };
    expect(dueOf(plan(pregnancy, once, '2027-11-07T09:00:00+08:00'), 'epds_2w').map((a) => a.key)).toEqual(['epds_2w#1/remind-2']);
  });
});

describe('planner: events, pauses and exits', () => {
  it('holds routine actions during a hospital stay and releases them on resume', () => {
    const paused = journey({ events: [{ name: 'hospitalised', at: '2027-03-12T12:00:00+08:00' }] });
    const p = plan(pregnancy, paused, '2027-03-12T20:30:00+08:00');
    expect(p.status).toBe('paused');
    expect(keys(p)).toEqual([]);
    const resumed = journey({ events: [...paused.events!, { name: 'resumed', at: '2027-03-14T10:00:00+08:00' }] });
    expect(dueOf(plan(pregnancy, resumed, '2027-03-14T10:00:00+08:00'), 'education')).toMatchObject([{ key: 'education#1', at: '2027-03-14T10:00:00+08:00' }]);
  });

  it('still escalates an emergency during a pause', () => {
    const state = journey({
      events: [
        { name: 'hospitalised', at: '2027-03-12T12:00:00+08:00' },
        { id: 'em1', name: 'emergency', at: '2027-03-13T02:00:00+08:00' },
      ],
    });
    const p = plan(pregnancy, state, '2027-03-13T02:00:00+08:00');
    expect(p.due).toMatchObject([{ key: 'emergency_escalation#e:em1', urgency: 'urgent', role: 'on_call' }]);
  });

  it('ends the journey on pregnancy loss: closes open tasks, plans only the care task', () => {
    const state = journey({
      occurrences: { 'book_booking_visit#1': { issuedAt: '2027-02-26T09:00:00+08:00' } },
      events: [{ name: 'pregnancy_loss', at: '2027-03-01T15:00:00+08:00' }],
    });
    const now = plan(pregnancy, state, '2027-03-01T15:00:00+08:00');
    expect(now).toMatchObject({ status: 'ended', due: [], cancel: ['book_booking_visit#1'], nextWakeAt: '2027-03-01T16:00:00+08:00' });
    expect(plan(pregnancy, state, '2027-03-01T16:00:00+08:00').due).toMatchObject([{ key: 'loss_care_call#e:1', template: 'loss_care', role: 'butler' }]);
    const later = projectTimeline(pregnancy, state, { from: '2027-03-01T15:00:00+08:00' });
    expect(later.entries.filter((e) => e.status === 'planned').map((e) => e.key)).toEqual(['loss_care_call#e:1']);
  });

  it('stops a recurrence when its stop event happens', () => {
    const early = journey({ events: [{ name: 'delivered', at: '2027-09-20T10:00:00+08:00' }] });
    const steps = projectTimeline(pregnancy, early)
      .entries.filter((e) => e.step === 'education')
      .map((e) => e.at.slice(0, 10));
    expect(steps.at(-1)).toBe('2027-08-27');
  });
});

describe('planner: re-anchoring', () => {
  it('moves unfinished steps when the EDD is corrected, but never completed ones', () => {
    const before = projectTimeline(pregnancy, journey());
    expect(before.entries.find((e) => e.key === 'delivery_booking#1')?.at).toBe('2027-09-24T09:00:00+08:00');
    const corrected = projectTimeline(pregnancy, journey({ anchors: { lmp: '2027-01-15', edd: '2027-11-01' } }));
    expect(corrected.entries.find((e) => e.key === 'delivery_booking#1')?.at).toBe('2027-10-04T09:00:00+08:00');
    const done = journey({
      anchors: { lmp: '2027-01-15', edd: '2027-11-01' },
      occurrences: { 'delivery_booking#1': { issuedAt: '2027-09-24T09:00:00+08:00', completedAt: '2027-09-25T11:00:00+08:00' } },
    });
    const after = projectTimeline(pregnancy, done, { from: '2027-09-26T00:00:00+08:00' });
    expect(after.entries.filter((e) => e.step === 'delivery_booking')).toMatchObject([{ at: '2027-09-25T11:00:00+08:00', status: 'recorded' }]);
    expect(plan(pregnancy, done, '2027-10-04T09:00:00+08:00').due.map((a) => a.key)).not.toContain('delivery_booking#1');
  });
});

describe('planner: entitlements', () => {
  it('skips a consuming step once the quota is used up', () => {
    const used = journey({ consumptions: [1, 2, 3].map((i) => ({ entitlement: 'green_channel', at: `2027-05-0${i}T10:00:00+08:00` })) });
    const p = plan(pregnancy, used, '2027-08-13T09:00:00+08:00');
    expect(p.skipped).toContainEqual(expect.objectContaining({ key: 'green_channel_visit#1', reason: 'entitlement-exhausted' }));
    expect(p.entitlements['green_channel']).toEqual({ remaining: 0, used: 3 });
    expect(keys(plan(pregnancy, journey(), '2027-08-13T09:00:00+08:00'))).toContain('green_channel_visit#1');
  });

  it('applies the tightest of several limits per period from enrolment', () => {
    const state: JourneyState = {
      enrolledAt: '2027-03-01T09:00:00+08:00',
      anchors: { checkup: '2027-03-01' },
      consumptions: [
        { entitlement: 'consultation', at: '2027-03-05T10:00:00+08:00' },
        { entitlement: 'consultation', at: '2027-03-20T10:00:00+08:00' },
      ],
    };
    expect(plan(postCheckup, state, '2027-03-25T10:00:00+08:00').entitlements['consultation']).toEqual({ remaining: 0, used: 2 });
    expect(plan(postCheckup, state, '2027-04-02T10:00:00+08:00').entitlements['consultation']).toEqual({ remaining: 2, used: 0 });
  });
});

describe('planner: projection for preview', () => {
  it('projects a full pregnancy with gestational ages and the estimated delivery', () => {
    const p = projectTimeline(pregnancy, journey({ variables: { high_risk: true } }));
    expect(p.estimated).toEqual(['delivery (event delivered at 2027-10-22T09:00:00+08:00)']);
    expect(p.entries.find((e) => e.key === 'book_nt#1')).toMatchObject({
      at: '2027-04-02T09:00:00+08:00',
      age: '11+0',
      stage: 'first_trimester',
      code: 'nt-scan',
    });
    expect(p.entries.find((e) => e.key === 'postpartum_42d#1')).toMatchObject({ at: '2027-11-26T09:00:00+08:00' });
    expect(p.status).toBe('completed');
    expect(p.notProjected.map((n) => n.step)).toContain('nt_notice');
  });

  it('shows cycle days for IVF', () => {
    const p = projectTimeline(ivf, { enrolledAt: '2027-03-01T09:00:00+08:00', anchors: { cycle_start: '2027-03-01' } });
    expect(p.entries.find((e) => e.step === 'baseline')).toMatchObject({ age: 'CD2' });
  });
});

describe('planner: entitlement use', () => {
  it('counts a consuming step when it is issued, and gives the unit back when cancelled', () => {
    const issued = journey({ occurrences: { 'green_channel_visit#1': { issuedAt: '2027-08-13T09:00:00+08:00' } } });
    expect(plan(pregnancy, issued, '2027-08-14T09:00:00+08:00').entitlements['green_channel']).toEqual({ remaining: 2, used: 1 });
    const cancelled = journey({
      occurrences: { 'green_channel_visit#1': { issuedAt: '2027-08-13T09:00:00+08:00', cancelledAt: '2027-08-13T10:00:00+08:00' } },
    });
    expect(plan(pregnancy, cancelled, '2027-08-14T09:00:00+08:00').entitlements['green_channel']).toEqual({ remaining: 3, used: 0 });
  });
});

describe('planner: calendar dates', () => {
  /** A cycle on the holiday fixture (span CD1 → CD71); enrolled at 08:00 on CD1 unless told. */
  const cycle = (cd1: string, enrolledAt = `${cd1}T08:00:00+08:00`, extra: Partial<JourneyState> = {}): JourneyState => ({
    enrolledAt,
    ...extra,
    anchors: { cycle_start: cd1, ...(extra.anchors ?? {}) },
  });
  const greetings = (p: ReturnType<typeof plan>) => p.due.filter((a) => a.step.startsWith('greeting_')).map((a) => [a.key, a.at]);

  it('plans a greeting inside the window at 10:00 on its date, and wakes up for it', () => {
    const state = cycle('2027-01-20');
    expect(plan(holidays, state, '2027-02-05T09:00:00+08:00').nextWakeAt).toBe('2027-02-06T10:00:00+08:00');
    expect(greetings(plan(holidays, state, '2027-02-06T09:59:00+08:00'))).toEqual([]);
    expect(greetings(plan(holidays, state, '2027-02-06T10:00:00+08:00'))).toEqual([['greeting_spring_festival_2027#1', '2027-02-06T10:00:00+08:00']]);
  });

  it('plans nothing for a date after the span', () => {
    const p = projectTimeline(holidays, cycle('2027-01-20'));
    expect(p.entries.some((e) => e.step === 'greeting_mid_autumn_2027')).toBe(false);
    expect(p.notProjected).toContainEqual({ step: 'greeting_mid_autumn_2027', why: 'its time falls after the journey ends' });
    expect(p.status).toBe('completed');
  });

  it('skips a date that passed before enrolment (late enrolment)', () => {
    const p = plan(holidays, cycle('2027-01-20', '2027-02-08T10:00:00+08:00'), '2027-02-08T10:00:00+08:00');
    expect(p.skipped).toContainEqual(expect.objectContaining({ key: 'greeting_spring_festival_2027#1', reason: 'late-enrolment' }));
    expect(greetings(p)).toEqual([]);
  });

  it('skips a date between enrolment and the start of the span instead of sending it late', () => {
    const state = cycle('2027-01-03', '2026-12-28T10:00:00+08:00');
    expect(greetings(plan(holidays, state, '2027-01-01T10:00:00+08:00'))).toEqual([]);
    const p = plan(holidays, state, '2027-01-03T10:00:00+08:00');
    expect(p.skipped).toContainEqual(expect.objectContaining({ key: 'greeting_new_year_2027#1', reason: 'window-passed' }));
    expect(greetings(p)).toEqual([]);
  });

  it('skips it when the day passes unplanned, and sends nothing after the journey ended', () => {
    expect(plan(holidays, cycle('2027-01-20'), '2027-02-07T10:00:00+08:00').skipped).toContainEqual(
      expect.objectContaining({ key: 'greeting_spring_festival_2027#1', reason: 'window-passed' }),
    );
    const ended = cycle('2027-01-20', undefined, { events: [{ name: 'withdrawn', at: '2027-02-01T12:00:00+08:00' }] });
    expect(greetings(plan(holidays, ended, '2027-02-06T10:00:00+08:00'))).toEqual([]);
  });

  it('keeps its fixed value whatever a journey says, and is passed to templates like any anchor', () => {
    const overridden = cycle('2027-01-20', undefined, { anchors: { spring_festival_2027: '2027-03-01' } });
    expect(greetings(plan(holidays, overridden, '2027-02-06T10:00:00+08:00'))).toEqual([['greeting_spring_festival_2027#1', '2027-02-06T10:00:00+08:00']]);
    expect(resolvedAnchors(holidays, overridden, '2027-02-06T10:00:00+08:00')).toEqual({
      cycle_start: '2027-01-20',
      mid_autumn_2027: '2027-09-15',
      new_year_2027: '2027-01-01',
      spring_festival_2027: '2027-02-06',
    });
  });
});
