/**
 * A journey the platform holds up past a window hands what it missed to a person (issue 12):
 * enrolled while no worker runs, its first round comes after the reminder's window closed; the
 * reminder is not sent late nor dropped, it becomes a task for the butler, and the call-back task
 * is issued late (real dev server, real PostgreSQL).
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { listOutboxMessages } from '../../db/repositories/outbox.ts';
import { HELD_UP_PATCH } from '../../workflows/journey.ts';
import { compilePathway, enrolOnDevServer, eventually, RecordingChannel, useDevServerJourneys } from '../support/journey-harness.ts';

const fixture = fileURLToPath(new URL('../fixtures/pathways/held-up.yaml', import.meta.url));

describe('a journey held up past a window (real dev server)', () => {
  const wechat = new RecordingChannel('wechat');
  const sms = new RecordingChannel('sms');
  const t = useDevServerJourneys([wechat, sms]);

  it('hands the missed reminder to the butler and issues the call-back late', async () => {
    const { database } = t;
    await t.stopWorker();
    // The window is open at enrolment and closes 8 s later; no worker runs for 12 s.
    const start = new Date(Math.floor(Date.now() / 1000) * 1000 - 52_000).toISOString();
    const { enrollmentId, handle } = await enrolOnDevServer(t, compilePathway(fixture), { start });
    await new Promise((r) => setTimeout(r, 12_000));
    await t.startWorker();

    const outbox = await eventually(async () => {
      const rows = await listOutboxMessages(database.db, enrollmentId);
      expect(rows.map((r) => [r.channel, r.status]).sort()).toEqual([
        ['sms', 'failed'],
        ['wechat', 'failed'],
      ]);
      return rows;
    }, 30_000);
    expect(outbox.every((r) => r.sent_at === null)).toBe(true);
    expect(wechat.delivered.length + sms.delivered.length).toBe(0);

    const tasks = await database.db.selectFrom('tasks').selectAll().where('enrollment_id', '=', enrollmentId).orderBy('occurrence_key').execute();
    expect(tasks.map((x) => [x.kind, x.occurrence_key, x.status])).toEqual([
      ['task', 'check#1', 'open'],
      ['deliver-message', 'reminder#1/undelivered/sms', 'open'],
      ['deliver-message', 'reminder#1/undelivered/wechat', 'open'],
    ]);
    expect(tasks.find((x) => x.kind === 'deliver-message')!.title).toContain('Not sent in its window');
    expect(tasks.every((x) => x.assignee === 'butler-1')).toBe(true);

    const skipped = await database.db
      .selectFrom('journey_events')
      .selectAll()
      .where('enrollment_id', '=', enrollmentId)
      .where('type', '=', 'skipped')
      .execute();
    expect(skipped.map((e) => [e.event_key, (e.details as { reason: string }).reason])).toEqual([['skipped:reminder#1', 'held-up']]);

    const history = await handle.fetchHistory();
    // The run recorded the patch marker: histories from before it replay as they were.
    const patches = history
      .events!.filter((e) => e.markerRecordedEventAttributes?.markerName === 'core_patch')
      .flatMap((e) => Object.values(e.markerRecordedEventAttributes!.details ?? {}).flatMap((p) => p.payloads ?? []))
      .map((p) => Buffer.from(p.data ?? []).toString());
    expect(patches.some((text) => text.includes(HELD_UP_PATCH))).toBe(true);
    await handle.terminate('test over');
  }, 60_000);
});
