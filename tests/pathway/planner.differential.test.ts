/**
 * Differential test of the incremental planner: random journeys through every shipped program
 * (and the pregnancy fixture), played the way the journey workflow plays them, with one
 * long-lived `Planner` changed only through its methods, now and then replaced by a new one over
 * its compacted state (as a run continues as new). At every call its plan must equal the plan of
 * the frozen reference planner (tests/pathway/reference-planner, a full expansion and
 * scan per call) and of a fresh one-shot `plan()` on the same state.
 *
 * The reference knows only the language as it was when it was frozen. A pathway using a later
 * feature (an event's `ends_stages`, a monitor's `incomplete`, field defaults, booking windows, counters, catch-up policies) is played twice: without that feature against the
 * reference, and as shipped against a fresh one-shot `plan()` at every call (a new planner has
 * no cursors or indexes to be wrong).
 *
 * The journeys vary what real ones do: enrolment time, anchors and their corrections, events
 * (delivery, stays, loss, withdrawal), variables set late, tasks completed late or never,
 * booked times in the past or far ahead, approvals refused, questionnaire answers, home readings
 * (some dated ahead), entitlement uses.
 */
import fc from 'fast-check';
import path from 'node:path';
import { describe, expect, it } from 'vitest';
import { listPathwayFiles } from '../../pathway/files.ts';
import { plan, Planner } from '../../pathway/planner/index.ts';
import type { CompiledPathway, CompiledStep, DataValue, JourneyState } from '../../pathway/planner/index.ts';
import { formatTime, parseTime } from '../../pathway/planner/time.ts';
import { compilePathway } from '../support/journey-harness.ts';
import { compiled, FIXTURES, REPO } from './helpers.ts';
import { plan as referencePlan } from './reference-planner/plan.ts';

const MIN = 60_000;
const DAY = 1_440 * MIN;

const pathways: CompiledPathway[] = [
  ...listPathwayFiles([path.join(REPO, 'pathways')]).files.map((f) => compilePathway(f)),
  compiled('valid/pregnancy.yaml'),
  compiled('planner-edges/edges.yaml'),
  compilePathway(path.join(FIXTURES, '..', '..', 'api', 'fixtures', 'care-demo.yaml')),
];

/** Random choices of one journey, drawn once; the simulation reads them in order. */
const journeyDraw = fc.record({
  enrolMinute: fc.integer({ min: 0, max: 1_439 }),
  /** Days between each given anchor and the enrolment (negative: before it). */
  anchorShift: fc.integer({ min: -300, max: 20 }),
  seeds: fc.array(fc.integer({ min: 0, max: 1_000_000 }), { minLength: 64, maxLength: 64 }),
});

/** A small deterministic generator over the drawn seeds. */
function chooser(seeds: number[]) {
  let i = 0;
  let x = seeds.reduce((a, b) => (a * 31 + b) >>> 0, 17) || 1;
  const next = () => {
    x ^= x << 13;
    x ^= x >>> 17;
    x ^= x << 5;
    x >>>= 0;
    return (x + (seeds[i++ % seeds.length] ?? 0)) % 1_000_003;
  };
  return {
    int: (lo: number, hi: number) => lo + (next() % (hi - lo + 1)),
    chance: (p: number) => next() % 1_000 < p * 1_000,
  };
}

type Change = { at: number; apply: (p: Planner) => void };

type Oracle = 'reference' | 'fresh';

/** The pathway without the features the frozen reference planner does not know; null if it has none. */
function withoutLaterFeatures(pathway: CompiledPathway): CompiledPathway | null {
  const monitorFeatures = (s: CompiledStep) =>
    (s.kind === 'monitor' && (s.incomplete !== undefined || s.defaults !== undefined || s.required !== undefined)) ||
    (s.kind === 'task' && s.booking !== undefined);
  const counters = Object.values(pathway.entitlements).some((e) => e.enforced === false);
  const catchUp = pathway.steps.some((s) => s.timing.catchUp !== undefined);
  if (!Object.values(pathway.events).some((e) => e.endsStages) && !pathway.steps.some(monitorFeatures) && !counters && !catchUp) return null;
  const copy = JSON.parse(JSON.stringify(pathway)) as CompiledPathway;
  for (const e of Object.values(copy.events)) delete e.endsStages;
  for (const e of Object.values(copy.entitlements)) delete e.enforced;
  for (const s of copy.steps) {
    delete s.timing.catchUp;
    if (s.kind === 'task') delete s.booking;
    if (s.kind !== 'monitor') continue;
    delete s.incomplete;
    delete s.defaults;
    delete s.required;
  }
  return copy;
}

function simulate(
  pathway: CompiledPathway,
  draw: { enrolMinute: number; anchorShift: number; seeds: number[] },
  oracle: Oracle = 'reference',
): { calls: number; settled: number } {
  const offset = pathway.timezone.offsetMinutes;
  const iso = (t: number) => formatTime(t, offset);
  const pick = chooser(draw.seeds);
  const enrolledAt = Date.UTC(2027, 1, 28) - offset * MIN + draw.enrolMinute * MIN;
  const anchors: Record<string, string> = {};
  for (const [name, anchor] of Object.entries(pathway.anchors)) {
    if (anchor.fixed || anchor.derive || anchor.setBy) continue;
    if (!anchor.required && pick.chance(0.4)) continue;
    const at = enrolledAt + (draw.anchorShift + pick.int(0, 20)) * DAY;
    anchors[name] = anchor.type === 'date' ? iso(at).slice(0, 10) : iso(at + pick.int(0, 1_439) * MIN);
  }
  const state: JourneyState = { enrolledAt: iso(enrolledAt), anchors, variables: {}, events: [], occurrences: {}, readings: [] };
  // `mirror` keeps the whole state for the reference planner; `planner` is the one under test,
  // now and then replaced by a new one over its compacted state (as a run continues as new).
  const mirror = new Planner(pathway, state);
  let planner = new Planner(pathway, JSON.parse(JSON.stringify(state)) as JourneyState);
  const both = (fn: (p: Planner) => void) => {
    fn(mirror);
    fn(planner);
  };
  const changes: Change[] = [];
  const later = (at: number, apply: (p: Planner) => void) => changes.push({ at, apply });

  // Events, a pause with its resumption, corrections, variables, readings, uses.
  for (const [name, event] of Object.entries(pathway.events)) {
    if (event.resumes || !pick.chance(event.pauses ? 0.5 : 0.35)) continue;
    const at = enrolledAt + pick.int(0, 320) * DAY + pick.int(0, 1_439) * MIN;
    later(at, (p) => p.addEvent({ id: `${name}-${at}`, name, at: iso(at) }));
    const resume = Object.entries(pathway.events).find(([, e]) => e.resumes)?.[0];
    if (event.pauses && resume && pick.chance(0.8)) {
      const back = at + pick.int(1, 20) * DAY;
      later(back, (p) => p.addEvent({ id: `${resume}-${back}`, name: resume, at: iso(back) }));
    }
  }
  for (const [name, anchor] of Object.entries(pathway.anchors)) {
    if (!anchor.correctable || anchor.fixed || !pick.chance(0.5)) continue;
    const at = enrolledAt + pick.int(0, 200) * DAY + pick.int(0, 1_439) * MIN;
    const value = enrolledAt + (draw.anchorShift + pick.int(-14, 40)) * DAY + pick.int(0, 1_439) * MIN;
    later(at, (p) => p.setAnchor(name, anchor.type === 'date' ? iso(value).slice(0, 10) : iso(value)));
  }
  for (const [name, variable] of Object.entries(pathway.variables)) {
    if (!pick.chance(0.6)) continue;
    const value =
      variable.type === 'bool'
        ? pick.chance(0.5)
        : variable.type === 'int'
          ? pick.int(0, 200)
          : variable.type === 'double'
            ? pick.int(0, 400) / 10
            : String(pick.int(1, 5));
    const at = pick.chance(0.5) ? enrolledAt : enrolledAt + pick.int(0, 120) * DAY;
    later(at, (p) => p.setVariable(name, value));
  }
  const monitors = pathway.steps.filter((s) => s.kind === 'monitor');
  for (let i = 0; i < pick.int(0, 12) && monitors.length; i++) {
    const monitor = monitors[pick.int(0, monitors.length - 1)]!;
    if (monitor.kind !== 'monitor') continue;
    const at = enrolledAt + pick.int(0, 300) * DAY + pick.int(0, 1_439) * MIN;
    const values: Record<string, number | boolean> = {};
    for (const [field, type] of Object.entries(monitor.fields)) {
      if (pick.chance(0.15)) continue;
      values[field] = type === 'bool' ? pick.chance(0.3) : type === 'int' ? pick.int(40, 200) : pick.int(20, 250) / 10;
    }
    // Some readings arrive with a time ahead of the clock.
    const submitted = pick.chance(0.2) ? at - pick.int(1, 48) * 60 * MIN : at;
    later(submitted, (p) => p.addReading({ id: `r${i}`, metric: monitor.metric, at: iso(at), values }));
  }
  for (const id of Object.keys(pathway.entitlements)) {
    for (let i = 0; i < pick.int(0, 4); i++) {
      const at = enrolledAt + pick.int(0, 360) * DAY;
      later(at, (p) => p.addConsumption({ entitlement: id, at: iso(at) }));
    }
  }

  let now = enrolledAt;
  let calls = 0;
  let settled = 0;
  for (let i = 0; i < 2_500; i++) {
    changes.sort((a, b) => a.at - b.at);
    while (changes[0] && changes[0].at <= now) both(changes.shift()!.apply);
    if (pick.chance(0.05)) {
      planner = new Planner(pathway, planner.compactedState());
      settled = Math.max(settled, Object.keys(planner.state.settled?.steps ?? {}).length);
    }
    const incremental = planner.plan(iso(now));
    calls++;
    if (oracle === 'reference') {
      expect(incremental, `${pathway.id} at ${iso(now)}`).toEqual(referencePlan(pathway, state, iso(now)));
      if (pick.chance(0.1)) expect(plan(pathway, state, iso(now))).toEqual(incremental);
    } else expect(incremental, `${pathway.id} at ${iso(now)}`).toEqual(plan(pathway, state, iso(now)));
    for (const a of incremental.due) {
      both((p) => p.update(a.key, { issuedAt: iso(now) }));
      if (a.type !== 'issue') continue;
      const step = pathway.steps.find((s) => s.id === a.step)!;
      if (!['task', 'approval', 'escalation', 'questionnaire', 'milestone'].includes(step.kind) || pick.chance(0.15)) continue;
      const doneAt = now + pick.int(0, 6 * 1_440) * MIN;
      const data = producedData(pathway, step, doneAt, pick);
      later(doneAt, (p) => {
        const rec = p.record(a.key);
        if (rec?.completedAt || rec?.cancelledAt || p.isSettled(a.key)) return;
        p.update(a.key, { completedAt: iso(doneAt), ...(data ? { data } : {}) });
      });
    }
    for (const s of incremental.skipped) both((p) => p.update(s.key, { skipped: s.reason }));
    for (const key of incremental.cancel) both((p) => p.update(key, { cancelledAt: iso(now) }));
    if (incremental.due.length || incremental.skipped.length || incremental.cancel.length) continue;
    const wake = incremental.nextWakeAt ? parseTime(incremental.nextWakeAt, offset)!.ms : Infinity;
    const next = Math.min(wake, changes[0]?.at ?? Infinity);
    if (next === Infinity) break;
    now = Math.max(next, now + 1_000);
  }
  return { calls, settled };
}

function producedData(
  pathway: CompiledPathway,
  step: CompiledStep,
  at: number,
  pick: ReturnType<typeof chooser>,
): Record<string, DataValue | Record<string, number>> | null {
  const offset = pathway.timezone.offsetMinutes;
  if (step.kind === 'approval') return { approved: pick.chance(0.75) };
  if (step.kind === 'questionnaire') {
    const items = Object.fromEntries((pathway.questionnaires[step.questionnaire]?.items ?? []).map((id) => [id, pick.int(0, 3)]));
    return { items };
  }
  if (step.kind !== 'task') return null;
  const data: Record<string, DataValue> = {};
  for (const [field, type] of Object.entries(step.produces)) {
    // Booked times from two days in the past to three weeks ahead.
    const when = at + pick.int(-2 * 1_440, 21 * 1_440) * MIN;
    data[field] =
      type === 'datetime'
        ? formatTime(when, offset)
        : type === 'date'
          ? formatTime(when, offset).slice(0, 10)
          : type === 'bool'
            ? pick.chance(0.5)
            : type === 'int'
              ? pick.int(0, 10)
              : type === 'double'
                ? pick.int(0, 100) / 10
                : 'ok';
  }
  return data;
}

describe('the incremental planner plans exactly as a full expansion and scan', () => {
  const runs = pathways.flatMap((p): [string, CompiledPathway, Oracle][] => {
    const stripped = withoutLaterFeatures(p);
    return stripped
      ? [
          [`${p.id} (without later features) vs the reference`, stripped, 'reference'],
          [`${p.id} vs a fresh planner`, p, 'fresh'],
        ]
      : [[p.id, p, 'reference']];
  });
  for (const [name, pathway, oracle] of runs) {
    it(`${name}: random journeys, every call`, { timeout: 120_000 }, () => {
      let calls = 0;
      let settled = 0;
      fc.assert(
        fc.property(journeyDraw, (draw) => {
          const run = simulate(pathway, draw, oracle);
          calls += run.calls;
          settled += run.settled;
        }),
        { numRuns: 12, seed: 20261202 },
      );
      expect(calls).toBeGreaterThan(12 * 5);
      // The compacted states held records in their short form.
      expect(settled).toBeGreaterThan(0);
    });
  }
});

describe('the incremental planner on states the simulation does not reach', () => {
  it('skips at once every occurrence whose window closed before enrolment, however far ahead it is planned', () => {
    const edges = compiled('planner-edges/edges.yaml');
    // Two checks completed (with dates ahead, as an import might carry them) with a time seen before
    // enrolment: both notices that follow are planned ahead but their windows closed already.
    const state: JourneyState = {
      enrolledAt: '2027-03-10T10:00:00+08:00',
      anchors: { start: '2027-03-01' },
      occurrences: {
        'weekly_check#1': { issuedAt: '2027-03-10T10:00:00+08:00', completedAt: '2027-03-15T10:00:00+08:00', data: { seen_at: '2027-03-09T09:00:00+08:00' } },
        'weekly_check#2': { issuedAt: '2027-03-10T10:00:00+08:00', completedAt: '2027-03-20T10:00:00+08:00', data: { seen_at: '2027-03-08T09:00:00+08:00' } },
      },
    };
    const expected = referencePlan(edges, state, '2027-03-10T10:00:00+08:00');
    expect(expected.skipped.filter((s) => s.step === 'after_check').map((s) => s.key)).toEqual(['after_check#1', 'after_check#2']);
    expect(new Planner(edges, state).plan('2027-03-10T10:00:00+08:00')).toEqual(expected);
  });
});
