import { fileURLToPath } from 'node:url';
import { WorkflowUpdateFailedError } from '@temporalio/client';
import { type TestWorkflowEnvironment } from '@temporalio/testing';
import { describe, expect, it } from 'vitest';
import { listOutboxMessages } from '../../db/repositories/outbox.ts';
import {
  completeStepUpdate,
  journeyViewQuery,
  recordEventUpdate,
  setAnchorUpdate,
  setVariableUpdate,
  timelineQuery,
  upgradePathwayUpdate,
} from '../../workflows/journey-definitions.ts';
import { mkdtempSync, readFileSync, writeFileSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { compileFile } from '../../pathway/compiler/compile.ts';
import { compilePathway, enrol, eventually, RecordingChannel, useTimeSkippingJourneys } from '../support/journey-harness.ts';

const pregnancyFixture = fileURLToPath(new URL('../pathway/fixtures/valid/pregnancy.yaml', import.meta.url));
const DAY = 86_400_000;

/** The local (UTC+8) calendar date `days` days from `ms`. */
function localDate(ms: number, days = 0): string {
  return new Date(ms + 8 * 3_600_000 + days * DAY).toISOString().slice(0, 10);
}

/** Skips the test server's clock forward to a local (UTC+8) date and time. */
async function sleepUntil(server: TestWorkflowEnvironment, date: string, time: string): Promise<void> {
  const target = Date.parse(`${date}T${time}:00+08:00`);
  const now = await server.currentTimeMs();
  if (target > now) await server.sleep(target - now);
}

describe('journey workflow on the time-skipping server (real activities, real PostgreSQL)', () => {
  const wechat = new RecordingChannel('wechat');
  const sms = new RecordingChannel('sms');
  const t = useTimeSkippingJourneys([wechat, sms]);
  const pathway = compilePathway(pregnancyFixture);

  const tasksOf = (enrollmentId: string) =>
    t.database.db.selectFrom('tasks').selectAll().where('enrollment_id', '=', enrollmentId).orderBy('created_at').execute();

  it('books, notifies 24 h before the booked visit, and keeps the timeline', async () => {
    const now = await t.env.currentTimeMs();
    const { enrollmentId, handle } = await enrol(t.env, t.database, t.taskQueue, pathway, { lmp: localDate(now, -35) });

    // Day 42 (6+0 weeks) at 09:00 opens the booking window.
    await sleepUntil(t.env, localDate(now, 7), '09:30');
    const booking = await eventually(async () => {
      const found = (await tasksOf(enrollmentId)).find((t) => t.step_id === 'book_booking_visit');
      expect(found).toBeDefined();
      return found!;
    });
    expect(booking).toMatchObject({ code: 'booking-visit', role: 'butler', assignee: 'butler-1', status: 'open', occurrence_key: 'book_booking_visit#1' });

    const view = await handle.query(journeyViewQuery);
    expect(view.status).toBe('active');
    expect(view.stage).toBe('first_trimester');
    expect(view.open.map((o) => o.key)).toContain('book_booking_visit#1');

    const appointment = `${localDate(now, 21)}T10:00:00+08:00`;
    const completed = await handle.executeUpdate(completeStepUpdate, {
      args: [{ key: 'book_booking_visit#1', data: { appointment_at: appointment }, by: 'butler-1' }],
    });
    expect(completed.key).toBe('book_booking_visit#1');
    // The update answers at once; the journey closes the task in the round that follows.
    await eventually(async () => {
      const tasks = await tasksOf(enrollmentId);
      expect(tasks.find((t) => t.id === booking.id)).toMatchObject({ status: 'done', completed_by: 'butler-1', result: { appointment_at: appointment } });
    });

    await sleepUntil(t.env, localDate(now, 20), '10:30');
    const notices = await eventually(async () => {
      const sent = (await listOutboxMessages(t.database.db, enrollmentId)).filter((m) => m.step_id === 'booking_visit_notice' && m.status === 'sent');
      expect(sent.map((m) => m.channel).sort()).toEqual(['sms', 'wechat']);
      return sent;
    });
    for (const notice of notices) {
      expect(notice.status).toBe('sent');
      // Sent 24 h before the booked time (after quiet hours: the appointment is at 10:00).
      expect(Date.parse(appointment) - notice.sent_at!.getTime()).toBeGreaterThanOrEqual(24 * 3_600_000 - 60_000);
      expect(notice.variables).toMatchObject({ appointment_at: appointment });
    }
    expect(sms.delivered.filter((m) => m.patientRef === `P-${enrollmentId.slice(0, 8)}` && m.templateId === 'visit_notice')).toHaveLength(1);

    const events = await t.database.db.selectFrom('journey_events').select(['type', 'step_id']).where('enrollment_id', '=', enrollmentId).execute();
    expect(events).toEqual(
      expect.arrayContaining([
        { type: 'issued', step_id: 'book_booking_visit' },
        { type: 'completed', step_id: 'book_booking_visit' },
        { type: 'issued', step_id: 'booking_visit_notice' },
      ]),
    );
  });

  it('escalates a booking task that is not done within its SLA', async () => {
    const now = await t.env.currentTimeMs();
    const { enrollmentId } = await enrol(t.env, t.database, t.taskQueue, pathway, { lmp: localDate(now, -41) });
    // Issued on day 42 at 09:00; the SLA is 2 days.
    await sleepUntil(t.env, localDate(now, 2), '09:00');
    await eventually(async () =>
      expect((await tasksOf(enrollmentId)).find((t) => t.step_id === 'book_booking_visit')).toMatchObject({ escalation_level: 0, role: 'butler' }),
    );
    await sleepUntil(t.env, localDate(now, 3), '10:00');
    await eventually(async () =>
      expect((await tasksOf(enrollmentId)).find((t) => t.step_id === 'book_booking_visit')).toMatchObject({
        escalation_level: 1,
        role: 'coordinator',
        status: 'open',
        urgent: true,
      }),
    );
  });

  it('moves future steps when the EDD is corrected and rejects bad updates with a reason', async () => {
    const now = await t.env.currentTimeMs();
    const lmp = localDate(now, -60);
    const { handle } = await enrol(t.env, t.database, t.taskQueue, pathway, { lmp });
    await t.env.sleep('1 hour');
    const before = await handle.query(timelineQuery);
    const bookingBefore = before.entries.find((e) => e.step === 'delivery_booking')!;

    const edd = localDate(Date.parse(`${lmp}T00:00:00+08:00`), 287);
    await handle.executeUpdate(setAnchorUpdate, { args: [{ name: 'edd', value: edd, by: 'doctor-1' }] });
    const after = await handle.query(timelineQuery);
    const bookingAfter = after.entries.find((e) => e.step === 'delivery_booking')!;
    expect(Date.parse(bookingAfter.at) - Date.parse(bookingBefore.at)).toBe(7 * DAY);
    expect((await handle.query(journeyViewQuery)).anchors.edd).toBe(edd);

    await expect(handle.executeUpdate(setAnchorUpdate, { args: [{ name: 'lmp', value: lmp, by: 'doctor-1' }] })).rejects.toThrow(WorkflowUpdateFailedError);
    await expect(handle.executeUpdate(setAnchorUpdate, { args: [{ name: 'edd', value: 'next week', by: 'doctor-1' }] })).rejects.toThrow(
      WorkflowUpdateFailedError,
    );
    await expect(handle.executeUpdate(completeStepUpdate, { args: [{ key: 'ogtt#1', by: 'butler-1' }] })).rejects.toThrow(WorkflowUpdateFailedError);
    await expect(handle.executeUpdate(recordEventUpdate, { args: [{ name: 'resumed', id: 'r1', by: 'butler-1' }] })).rejects.toThrow(WorkflowUpdateFailedError);
  });

  it('ends the journey on pregnancy loss: open tasks cancelled, one care task, no more reminders', async () => {
    const now = await t.env.currentTimeMs();
    const { enrollmentId, handle } = await enrol(t.env, t.database, t.taskQueue, pathway, { lmp: localDate(now, -45) });
    await sleepUntil(t.env, localDate(now, 1), '12:00');
    await eventually(async () => expect((await tasksOf(enrollmentId)).filter((t) => t.status === 'open').length).toBeGreaterThan(0));

    await handle.executeUpdate(recordEventUpdate, { args: [{ name: 'pregnancy_loss', id: 'loss-1', by: 'nurse-1' }] });
    // The care call comes 1 h after the event, and after quiet hours (it is routine).
    await sleepUntil(t.env, localDate(now, 2), '09:00');
    const careCall = await eventually(async () => {
      const tasks = await tasksOf(enrollmentId);
      expect(tasks.find((t) => t.step_id === 'book_booking_visit')?.status).toBe('cancelled');
      const care = tasks.filter((t) => t.step_id === 'loss_care_call');
      expect(care).toHaveLength(1);
      return care[0]!;
    });
    expect(careCall).toMatchObject({ status: 'open', role: 'butler', code: 'pregnancy-loss-care' });
    expect((await handle.describe()).status.name).toBe('RUNNING');

    await handle.executeUpdate(completeStepUpdate, { args: [{ key: careCall.occurrence_key, by: 'butler-1' }] });
    const outcome = await handle.result();
    expect(outcome).toMatchObject({ status: 'ended', endedBy: 'pregnancy_loss' });
    const enrollment = await t.database.db.selectFrom('enrollments').selectAll().where('id', '=', enrollmentId).executeTakeFirstOrThrow();
    expect(enrollment.status).toBe('exited');

    const sentBefore = (await listOutboxMessages(t.database.db, enrollmentId)).length;
    await t.env.sleep('30 days');
    expect((await listOutboxMessages(t.database.db, enrollmentId)).length).toBe(sentBefore);
  });

  it('moves a running journey to a new version of its pathway', async () => {
    const now = await t.env.currentTimeMs();
    const { enrollmentId, handle } = await enrol(t.env, t.database, t.taskQueue, pathway, { lmp: localDate(now, -60) });
    await t.env.sleep('1 hour');
    const before = (await handle.query(timelineQuery)).entries.find((e) => e.step === 'delivery_booking')!;

    const dir = mkdtempSync(path.join(tmpdir(), 'carepath-upgrade-'));
    const file = path.join(dir, 'pregnancy.yaml');
    const source = readFileSync(pregnancyFixture, 'utf8')
      .replace('version: 1.0.0', 'version: 1.1.0')
      .replace('timing: { at: edd - 4w, latest: edd - 1w }', 'timing: { at: edd - 5w, latest: edd - 1w }');
    writeFileSync(file, source);
    const next = compileFile(file, { contentDir: path.join(path.dirname(pregnancyFixture), '..', 'content') }).compiled!;
    expect(next.version).toBe('1.1.0');

    expect(await handle.executeUpdate(upgradePathwayUpdate, { args: [{ pathway: next, by: 'coordinator-1' }] })).toEqual({ from: '1.0.0', to: '1.1.0' });
    await eventually(async () => expect((await handle.query(journeyViewQuery)).pathway.version).toBe('1.1.0'));
    const view = await handle.query(journeyViewQuery);
    expect(view.run).toBe(1);
    const after = (await handle.query(timelineQuery)).entries.find((e) => e.step === 'delivery_booking')!;
    expect(Date.parse(before.at) - Date.parse(after.at)).toBe(7 * DAY);
    const row = await t.database.db
      .selectFrom('enrollments')
      .select(['pathway_version', 'pathway_hash'])
      .where('id', '=', enrollmentId)
      .executeTakeFirstOrThrow();
    expect(row).toEqual({ pathway_version: '1.1.0', pathway_hash: next.hash });

    await expect(handle.executeUpdate(upgradePathwayUpdate, { args: [{ pathway: next, by: 'coordinator-1' }] })).rejects.toThrow(WorkflowUpdateFailedError);
    await expect(handle.executeUpdate(upgradePathwayUpdate, { args: [{ pathway: { ...next, id: 'other.pathway' }, by: 'coordinator-1' }] })).rejects.toThrow(
      WorkflowUpdateFailedError,
    );
  });

  it('cancels, on an upgrade, the open tasks of steps the new version no longer has', async () => {
    const now = await t.env.currentTimeMs();
    const { enrollmentId, handle } = await enrol(t.env, t.database, t.taskQueue, pathway, { lmp: localDate(now, -60) });
    const booking = await eventually(async () => {
      const task = (await tasksOf(enrollmentId)).find((x) => x.occurrence_key === 'book_booking_visit#1');
      expect(task?.status).toBe('open');
      return task!;
    });
    const dir = mkdtempSync(path.join(tmpdir(), 'carepath-upgrade-'));
    const file = path.join(dir, 'pregnancy.yaml');
    const original = readFileSync(pregnancyFixture, 'utf8');
    // Version 1.2.0 drops the booking visit and the notice that follows it.
    const source = original.replace('version: 1.0.0', 'version: 1.2.0').replace(/ {2}- id: book_booking_visit\n[\s\S]*?(?= {2}- id: book_nt\n)/, '');
    expect(source).not.toContain('book_booking_visit');
    writeFileSync(file, source);
    const next = compileFile(file, { contentDir: path.join(path.dirname(pregnancyFixture), '..', 'content') }).compiled!;
    await handle.executeUpdate(upgradePathwayUpdate, { args: [{ pathway: next, by: 'coordinator-1' }] });
    await eventually(async () => {
      expect((await tasksOf(enrollmentId)).find((x) => x.id === booking.id)).toMatchObject({
        status: 'cancelled',
        result: { reason: 'step-removed-by-upgrade' },
      });
      expect((await handle.query(journeyViewQuery)).open.map((o) => o.key)).not.toContain('book_booking_visit#1');
    });
  });

  it('starts conditioned steps when a variable becomes known after enrolment', async () => {
    const now = await t.env.currentTimeMs();
    const { handle } = await enrol(t.env, t.database, t.taskQueue, pathway, { lmp: localDate(now, -200) });
    await t.env.sleep('1 hour');
    const nstBefore = (await handle.query(timelineQuery)).entries.filter((e) => e.step === 'nst_weekly' && e.status === 'planned');
    expect(nstBefore).toHaveLength(0);
    await handle.executeUpdate(setVariableUpdate, { args: [{ name: 'high_risk', value: true, by: 'doctor-1' }] });
    const nstAfter = (await handle.query(timelineQuery)).entries.filter((e) => e.step === 'nst_weekly' && e.status === 'planned');
    expect(nstAfter.length).toBeGreaterThan(3);
    await expect(handle.executeUpdate(setVariableUpdate, { args: [{ name: 'high_risk', value: 'yes', by: 'doctor-1' }] })).rejects.toThrow(
      WorkflowUpdateFailedError,
    );
    await expect(handle.executeUpdate(setVariableUpdate, { args: [{ name: 'gdm', value: true, by: 'doctor-1' }] })).rejects.toThrow(WorkflowUpdateFailedError);
  });
});
