import { mkdirSync, rmSync, writeFileSync } from 'node:fs';
import path from 'node:path';
import { gzipSync } from 'node:zlib';
import { fileURLToPath } from 'node:url';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { describe, expect, it } from 'vitest';
import { listOutboxMessages } from '../../db/repositories/outbox.ts';
import { parseTime, projectTimeline, type CompiledPathway, type CompiledTiming, type TimeRef } from '../../pathway/planner/index.ts';
import { driveJourney, type Scenario } from '../support/journey-driver.ts';
import { compilePathway, enrol, RecordingChannel, useTimeSkippingJourneys } from '../support/journey-harness.ts';

const root = fileURLToPath(new URL('../..', import.meta.url));
const historiesDir = path.join(root, 'tests', 'replay', 'histories', 'v2');
const DAY = 86_400_000;
const CHECKUP = { sbp: 148, dbp: 92, fasting_glucose: 6.4, ldl: 4.3, tg: 1.8, alt: 35, uric_acid: 380, bmi: 26.1, thyroid_ctirads: '3' };

/** Local (UTC+8) date `days` from `ms`. */
const localDate = (ms: number, days: number) => new Date(ms + 8 * 3_600_000 + days * DAY).toISOString().slice(0, 10);

/** Each shipped program with a sample patient, relative to the test server's clock at enrolment. */
const PROGRAMS: Record<string, { file: string; scenario: (now: number) => Scenario }> = {
  'full-pregnancy': {
    file: 'pathways/obstetrics/full-pregnancy.yaml',
    scenario: (now) => ({ anchors: { lmp: localDate(now, -42) }, days: 300, events: [{ day: 238, name: 'delivered' }] }),
  },
  'mid-pregnancy': {
    file: 'pathways/obstetrics/mid-pregnancy.yaml',
    scenario: (now) => ({ anchors: { lmp: localDate(now, -98) }, days: 260, events: [{ day: 182, name: 'delivered' }] }),
  },
  'late-pregnancy': {
    file: 'pathways/obstetrics/late-pregnancy.yaml',
    scenario: (now) => ({ anchors: { lmp: localDate(now, -196) }, days: 150, events: [{ day: 84, name: 'delivered' }] }),
  },
  'post-checkup-premium': {
    file: 'pathways/post-checkup/premium.yaml',
    scenario: (now) => ({ anchors: { checkup: localDate(now, 0) }, variables: CHECKUP, days: 370 }),
  },
  'post-checkup-basic': {
    file: 'pathways/post-checkup/basic.yaml',
    scenario: (now) => ({ anchors: { checkup: localDate(now, 0) }, variables: CHECKUP, days: 370 }),
  },
  'ivf-cycle': {
    file: 'pathways/reproductive/ivf-cycle.yaml',
    scenario: (now) => ({
      anchors: { cycle_start: localDate(now, 0) },
      days: 75,
      corrections: [
        { day: 12, name: 'trigger_at', value: `${localDate(now, 12)}T21:00:00+08:00` },
        { day: 15, name: 'transfer_at', value: `${localDate(now, 17)}T10:00:00+08:00` },
      ],
    }),
  },
  'diabetes-home': { file: 'pathways/chronic/diabetes-home.yaml', scenario: (now) => ({ anchors: { enrolled_on: localDate(now, 0) }, days: 370 }) },
};

/** A step whose whole timing hangs on anchors only: its times do not depend on how staff work. */
function anchorTimed(pathway: CompiledPathway, stepId: string): boolean {
  const step = pathway.steps.find((s) => s.id === stepId)!;
  if (step.origin.type !== 'schedule') return false;
  const refs = (['at', 'earliest', 'latest', 'until'] as (keyof CompiledTiming)[])
    .map((k) => step.timing[k] as TimeRef | undefined)
    .filter(Boolean) as TimeRef[];
  return refs.every((r) => r.base === 'anchor');
}

describe('every shipped program end to end on the time-skipping server', () => {
  const t = useTimeSkippingJourneys(['wechat', 'sms', 'app'].map((c) => new RecordingChannel(c)));

  for (const [name, program] of Object.entries(PROGRAMS)) {
    it(`${name}: runs to its end and issues every anchor-timed step when the preview said`, { timeout: 240_000 }, async () => {
      const pathway = compilePathway(path.join(root, program.file));
      // Every program starts at 02:00 local, so that day n of the scenario is the enrolment date + n.
      const clock = await t.env.currentTimeMs();
      const twoAm = Date.parse(`${localDate(clock, 1)}T02:00:00+08:00`);
      await t.env.sleep(twoAm - clock);
      const now = await t.env.currentTimeMs();
      const scenario = program.scenario(now);
      const { enrollmentId, firstRunId, handle } = await enrol(
        t.env,
        t.database,
        t.taskQueue,
        pathway,
        scenario.anchors,
        scenario.variables ? { variables: scenario.variables } : {},
      );
      const enrolledAt = new Date(now).toISOString();
      const final = await driveJourney(t.env, handle, pathway, scenario);

      // RECORD_HISTORIES=1 refreshes the histories the replay tests (tests/replay) run against:
      // every run of the journey, following continue-as-new from the first one.
      if (process.env.RECORD_HISTORIES) {
        const dir = path.join(historiesDir, pathway.id, `v${pathway.version}`);
        rmSync(dir, { recursive: true, force: true });
        mkdirSync(dir, { recursive: true });
        // The compiled pathway the runs' inputs refer to, for the replay tests to resolve.
        writeFileSync(path.join(dir, 'pathways.json.gz'), gzipSync(JSON.stringify([pathway])));
        for (let run: string | null | undefined = firstRunId, n = 1; run; n++) {
          const history = await t.env.client.workflow.getHandle(handle.workflowId, run).fetchHistory();
          writeFileSync(path.join(dir, `run-${String(n).padStart(2, '0')}.json.gz`), gzipSync(historyToJSON(history)));
          run = history.events?.at(-1)?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId;
        }
      }

      expect(['completed', 'ended']).toContain(final.status);
      const issued = await t.database.db
        .selectFrom('journey_events')
        .select(['event_key', 'step_id', 'at'])
        .where('enrollment_id', '=', enrollmentId)
        .where('type', '=', 'issued')
        .execute();
      const issuedAt = new Map(issued.map((e) => [e.event_key.slice('issued:'.length), e.at.getTime()]));
      expect(issued.length).toBeGreaterThan(5);

      // The preview of the same patient: every anchor-timed step it plans was issued at that time.
      const projection = projectTimeline(pathway, {
        enrolledAt,
        anchors: { ...scenario.anchors, ...Object.fromEntries((scenario.corrections ?? []).map((c) => [c.name, c.value])) },
        ...(scenario.variables ? { variables: scenario.variables } : {}),
        events: (scenario.events ?? []).map((e) => ({ name: e.name, at: `${localDate(now, e.day)}T12:00:00+08:00` })),
      });
      const expected = projection.entries.filter((e) => e.status === 'planned' && anchorTimed(pathway, e.step) && Date.parse(e.at) > now);
      expect(expected.length).toBeGreaterThan(0);
      for (const entry of expected) {
        const planned = parseTime(entry.at, pathway.timezone.offsetMinutes)!.ms;
        // A timer fires at its time plus the milliseconds the worker needs to act.
        expect.soft(issuedAt.get(entry.key), `${entry.key} planned at ${entry.at}`).toBeGreaterThanOrEqual(planned);
        expect.soft(issuedAt.get(entry.key), `${entry.key} planned at ${entry.at}`).toBeLessThan(planned + 60_000);
      }

      // No routine action went out in quiet hours (21:00-08:00 local).
      for (const event of issued) {
        const step = pathway.steps.find((s) => s.id === event.step_id)!;
        const hour = new Date(event.at.getTime() + 8 * 3_600_000).getUTCHours();
        if (step.urgency === 'routine') expect.soft(hour >= 8 && hour < 21, `${event.event_key} at ${event.at.toISOString()}`).toBe(true);
      }
      const outbox = await listOutboxMessages(t.database.db, enrollmentId);
      expect(outbox.every((m) => m.status === 'sent')).toBe(true);
    });
  }
});

describe('a preterm birth in a running journey (issue 10, class 1)', () => {
  const t = useTimeSkippingJourneys(['wechat', 'sms', 'app'].map((c) => new RecordingChannel(c)));

  it('full-pregnancy: after a birth at 34+0 nothing antenatal is issued and what was open is cancelled with the reason', { timeout: 240_000 }, async () => {
    const pathway = compilePathway(path.join(root, 'pathways/obstetrics/full-pregnancy.yaml'));
    const clock = await t.env.currentTimeMs();
    await t.env.sleep(Date.parse(`${localDate(clock, 1)}T02:00:00+08:00`) - clock);
    const now = await t.env.currentTimeMs();
    // Enrolled at GA 32+0; the birth is recorded at noon of day 14 (GA 34+0), before the team's
    // round of that day, so the bookings issued that morning are still open.
    const scenario = { anchors: { lmp: localDate(now, -224) }, days: 30, events: [{ day: 14, name: 'delivered' }] };
    const { enrollmentId, handle } = await enrol(t.env, t.database, t.taskQueue, pathway, scenario.anchors);
    await driveJourney(t.env, handle, pathway, scenario);
    const birth = (
      await t.database.db.selectFrom('journey_events').select('at').where('enrollment_id', '=', enrollmentId).where('type', '=', 'event').executeTakeFirst()
    )?.at;
    expect(birth).toBeDefined();

    const issued = await t.database.db
      .selectFrom('journey_events')
      .select(['step_id', 'at', 'event_key'])
      .where('enrollment_id', '=', enrollmentId)
      .where('type', '=', 'issued')
      .execute();
    const antenatal = new Set([
      'book_gbs',
      'gbs_notice',
      'gbs_escort',
      'book_nst',
      'nst_notice',
      'nst_escort',
      'book_v6',
      'v6_notice',
      'v6_escort',
      'book_weekly',
      'weekly_notice',
      'weekly_escort',
      'epds_late',
      'gad7_late',
      'birth_prep',
      'delivery_booking',
      'fetal_movement_monitor',
      'monitoring_reminder',
      'care_call',
      'course_push',
    ]);
    const afterBirth = issued.filter((e) => e.at.getTime() > birth!.getTime() && antenatal.has(e.step_id ?? ''));
    expect(afterBirth.map((e) => e.event_key)).toEqual([]);
    expect(issued.some((e) => e.step_id === 'postpartum_welcome' && e.at.getTime() > birth!.getTime())).toBe(true);

    // The bookings open at the birth were cancelled by it, with the reason the task list shows.
    const cancelled = await t.database.db
      .selectFrom('tasks')
      .select(['step_id', 'status', 'result'])
      .where('enrollment_id', '=', enrollmentId)
      .where('status', '=', 'cancelled')
      .execute();
    expect(cancelled.length).toBeGreaterThan(0);
    for (const task of cancelled) {
      expect(antenatal.has(task.step_id), task.step_id).toBe(true);
      expect(task.result).toMatchObject({ reason: 'stage-ended', event: 'delivered' });
    }
  });
});
