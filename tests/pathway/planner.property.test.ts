/**
 * Property-based tests of the planner. A small simulator plays the journey workflow's loop —
 * plan, carry out what is due, sleep until the next wake-up or update — over random journeys:
 * random enrolment week, delivery date, hospital stays, task completion delays, booked times,
 * questionnaire answers, home readings and EDD corrections.
 */
import fc from 'fast-check';
import { describe, expect, it } from 'vitest';
import { plan, projectTimeline } from '../../pathway/planner/index.ts';
import type { Action, JourneyState, Plan } from '../../pathway/planner/index.ts';
import { formatTime, inQuietHours, parseTime } from '../../pathway/planner/time.ts';
import { compiled } from './helpers.ts';

const pathway = compiled('valid/pregnancy.yaml');
const OFFSET = pathway.timezone.offsetMinutes;
const MIN = 60_000;
const DAY = 1_440 * MIN;
const ms = (iso: string) => parseTime(iso, OFFSET)!.ms;
const iso = (t: number) => formatTime(t, OFFSET);

interface Scenario {
  lmp: number;
  enrolDay: number;
  enrolMinute: number;
  highRisk: boolean;
  deliveredDay: number | null;
  stay: { day: number; days: number } | null;
  completionDelayMinutes: number;
  bookingLeadHours: number;
  answers: number[];
  readings: { day: number; minute: number; sbp: number; dbp: number }[];
  correction: { day: number; deltaDays: number } | null;
}

const scenario: fc.Arbitrary<Scenario> = fc.record({
  lmp: fc.integer({ min: 0, max: 900 }).map((d) => Date.UTC(2026, 0, 1) - OFFSET * MIN + d * DAY),
  enrolDay: fc.integer({ min: 0, max: 260 }),
  enrolMinute: fc.integer({ min: 0, max: 1_439 }),
  highRisk: fc.boolean(),
  deliveredDay: fc.option(fc.integer({ min: 245, max: 294 }), { nil: null }),
  stay: fc.option(fc.record({ day: fc.integer({ min: 30, max: 250 }), days: fc.integer({ min: 1, max: 10 }) }), { nil: null }),
  completionDelayMinutes: fc.integer({ min: 0, max: 4 * 1_440 }),
  bookingLeadHours: fc.integer({ min: 1, max: 14 * 24 }),
  answers: fc.array(fc.integer({ min: 0, max: 3 }), { minLength: 4, maxLength: 4 }),
  readings: fc.array(
    fc.record({
      day: fc.integer({ min: 140, max: 290 }),
      minute: fc.integer({ min: 0, max: 1_439 }),
      sbp: fc.integer({ min: 90, max: 190 }),
      dbp: fc.integer({ min: 50, max: 125 }),
    }),
    { maxLength: 4 },
  ),
  correction: fc.option(fc.record({ day: fc.integer({ min: 60, max: 200 }), deltaDays: fc.integer({ min: -14, max: 14 }).filter((d) => d !== 0) }), {
    nil: null,
  }),
});

type Update = { at: number; apply: (s: JourneyState) => void; label: string };

interface Run {
  calls: { now: number; plan: Plan; state: string }[];
  due: { now: number; action: Action }[];
  /** Completed occurrence key → completion time, as recorded before the EDD correction. */
  completedBeforeCorrection: Map<string, string>;
  stateAfterCorrection?: JourneyState;
  correctedAt?: number;
  projectionBeforeCorrection?: ReturnType<typeof projectTimeline>;
}

/** Plays the workflow loop until the journey ends or nothing more can happen. */
function simulate(sc: Scenario): Run {
  const day = (d: number, minute = 0) => sc.lmp + d * DAY + minute * MIN;
  const enrolledAt = day(sc.enrolDay, sc.enrolMinute);
  const state: JourneyState = {
    enrolledAt: iso(enrolledAt),
    anchors: { lmp: iso(sc.lmp).slice(0, 10) },
    variables: { high_risk: sc.highRisk },
    events: [],
    occurrences: {},
    readings: [],
  };
  const updates: Update[] = [];
  const event = (name: string, at: number) => updates.push({ at, label: name, apply: (s) => s.events!.push({ id: `${name}-${at}`, name, at: iso(at) }) });
  if (sc.deliveredDay !== null) event('delivered', day(sc.deliveredDay, 300));
  if (sc.stay) {
    event('hospitalised', day(sc.stay.day, 600));
    event('resumed', day(sc.stay.day + sc.stay.days, 600));
  }
  sc.readings.forEach((r, i) =>
    updates.push({
      at: day(r.day, r.minute),
      label: 'reading',
      apply: (s) => s.readings!.push({ id: `r${i}`, metric: 'blood_pressure', at: iso(day(r.day, r.minute)), values: { sbp: r.sbp, dbp: r.dbp } }),
    }),
  );
  const run: Run = { calls: [], due: [], completedBeforeCorrection: new Map() };
  if (sc.correction) {
    const at = day(sc.correction.day, 720);
    updates.push({
      at,
      label: 'correct-edd',
      apply: (s) => {
        for (const [key, rec] of Object.entries(s.occurrences!)) if (rec.completedAt) run.completedBeforeCorrection.set(key, rec.completedAt);
        run.projectionBeforeCorrection = projectTimeline(pathway, s, { from: iso(at), assumeEstimates: false });
        s.anchors['edd'] = iso(day(280 + sc.correction!.deltaDays)).slice(0, 10);
        run.stateAfterCorrection = JSON.parse(JSON.stringify(s)) as JourneyState;
        run.correctedAt = at;
      },
    });
  }
  let now = enrolledAt;
  for (let i = 0; i < 3_000; i++) {
    updates.sort((a, b) => a.at - b.at);
    while (updates[0] && updates[0].at <= now) updates.shift()!.apply(state);
    const p = plan(pathway, state, iso(now));
    run.calls.push({ now, plan: p, state: JSON.stringify(state) });
    for (const a of p.due) {
      run.due.push({ now, action: a });
      state.occurrences![a.key] = { issuedAt: iso(now) };
      if (a.type !== 'issue' || a.kind === 'message' || a.kind === 'monitor') continue;
      const doneAt = now + sc.completionDelayMinutes * MIN;
      const data =
        a.kind === 'questionnaire'
          ? { items: { q1: sc.answers[0]!, q2: sc.answers[1]!, q3: sc.answers[2]!, q10: sc.answers[3]! } }
          : a.produces?.['appointment_at']
            ? { appointment_at: iso(doneAt + sc.bookingLeadHours * 60 * MIN) }
            : { approved: true };
      updates.push({ at: doneAt, label: `complete ${a.key}`, apply: (s) => Object.assign(s.occurrences![a.key]!, { completedAt: iso(doneAt), data }) });
    }
    for (const s of p.skipped) state.occurrences![s.key] = { skipped: s.reason };
    for (const key of p.cancel) state.occurrences![key] = { ...state.occurrences![key], cancelledAt: iso(now) };
    if (p.due.length || p.skipped.length || p.cancel.length) continue;
    const wake = p.nextWakeAt ? ms(p.nextWakeAt) : Infinity;
    const next = Math.min(wake, updates[0]?.at ?? Infinity);
    if (next === Infinity) break;
    expect(next).toBeGreaterThan(now);
    now = next;
  }
  return run;
}

const RUNS = { numRuns: 40 };

describe('planner properties', () => {
  it('never sends a routine action inside quiet hours; urgent ones go at once', () => {
    fc.assert(
      fc.property(scenario, (sc) => {
        for (const { now, action } of simulate(sc).due) {
          expect(ms(action.at)).toBeLessThanOrEqual(now);
          expect(ms(action.plannedAt)).toBeLessThanOrEqual(ms(action.at));
          if (action.urgency === 'routine') {
            expect(inQuietHours(now, OFFSET, pathway.quietHours)).toBe(false);
            expect(inQuietHours(ms(action.at), OFFSET, pathway.quietHours)).toBe(false);
          } else {
            expect(action.at).toBe(action.plannedAt);
          }
        }
      }),
      RUNS,
    );
  });

  it('plans each occurrence once', () => {
    fc.assert(
      fc.property(scenario, (sc) => {
        const keys = simulate(sc).due.map((d) => d.action.key);
        expect(new Set(keys).size).toBe(keys.length);
      }),
      RUNS,
    );
  });

  it('gives the same plan for the same inputs (whatever the key order of the state)', () => {
    fc.assert(
      fc.property(scenario, fc.integer({ min: 0, max: 1_000 }), (sc, pick) => {
        const { calls } = simulate(sc);
        const call = calls[pick % calls.length]!;
        const state = JSON.parse(call.state) as JourneyState;
        const shuffled = JSON.parse(call.state, (_k, v) =>
          v && typeof v === 'object' && !Array.isArray(v) ? Object.fromEntries(Object.entries(v).reverse()) : v,
        ) as JourneyState;
        expect(plan(pathway, state, iso(call.now))).toEqual(call.plan);
        expect(plan(pathway, shuffled, iso(call.now))).toEqual(call.plan);
      }),
      RUNS,
    );
  });

  it('never moves or re-plans a completed step when the EDD is corrected', () => {
    fc.assert(
      fc.property(
        scenario.filter((s) => s.correction !== null),
        (sc) => {
          const run = simulate(sc);
          if (!run.stateAfterCorrection) return;
          const recorded = (p: ReturnType<typeof projectTimeline>) =>
            p.entries.filter((e) => e.status === 'recorded' && run.completedBeforeCorrection.has(e.key)).map((e) => [e.key, e.at]);
          const after = projectTimeline(pathway, run.stateAfterCorrection, { from: run.stateAfterCorrection.enrolledAt, assumeEstimates: false });
          expect(recorded(after)).toEqual(recorded(run.projectionBeforeCorrection!));
          for (const [key, at] of run.completedBeforeCorrection) {
            expect(after.entries.find((e) => e.key === key && e.status === 'recorded')?.at).toBe(at);
          }
          const replanned = run.due.filter((d) => d.now >= run.correctedAt! && run.completedBeforeCorrection.has(d.action.key));
          expect(replanned).toEqual([]);
        },
      ),
      RUNS,
    );
  });
});
