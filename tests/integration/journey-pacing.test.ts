/**
 * Pacing of routine messages (issue 14, item 8) on the time-skipping server, with real activities
 * and PostgreSQL: three routine pushes due at once in a pathway paced at two a day, two hours
 * apart, go at their turns — the first at once, the second two hours later, the third the next
 * morning — while an urgent notice goes at once; a withdrawal drops what is still held.
 */
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { listJourneyEvents } from '../../db/repositories/journey-events.ts';
import { listOutboxMessages } from '../../db/repositories/outbox.ts';
import { recordEventUpdate } from '../../workflows/journey-definitions.ts';
import { compilePathway, enrol, eventually, RecordingChannel, useTimeSkippingJourneys } from '../support/journey-harness.ts';

const fixture = fileURLToPath(new URL('../fixtures/pathways/pacing.yaml', import.meta.url));
const MINUTE = 60_000;
const HOUR = 60 * MINUTE;

describe('pacing of routine messages (time-skipping server, real activities and PostgreSQL)', () => {
  const wechat = new RecordingChannel('wechat');
  const sms = new RecordingChannel('sms');
  const t = useTimeSkippingJourneys([wechat, sms]);
  const pathway = compilePathway(fixture);

  /** Tomorrow at 10:00 in Shanghai, far from quiet hours. */
  async function tomorrowAtTen(): Promise<number> {
    const now = await t.env.currentTimeMs();
    const localDay = Math.floor((now + 8 * HOUR) / (24 * HOUR));
    return (localDay + 1) * 24 * HOUR - 8 * HOUR + 10 * HOUR;
  }
  const sentSteps = async (enrollmentId: string) =>
    [...new Set((await listOutboxMessages(t.database.db, enrollmentId)).filter((m) => m.status === 'sent').map((m) => m.step_id))].sort();
  const paced = async (enrollmentId: string) =>
    (await listJourneyEvents(t.database.db, enrollmentId)).filter((e) => e.type === 'paced').map((e) => [e.step_id, e.details]);

  it('sends a burst at its turns: the first now, the next after the gap, the third the next morning; urgent at once', async () => {
    const start = await tomorrowAtTen();
    const { enrollmentId, handle } = await enrol(t.env, t.database, t.taskQueue, pathway, { start: new Date(start).toISOString() });
    await t.env.sleep(start - (await t.env.currentTimeMs()) + MINUTE);
    await eventually(async () => expect(await sentSteps(enrollmentId)).toEqual(['notice', 'push_a']));
    // push_a went on both its channels: one message to her, one turn.
    expect(
      (await listOutboxMessages(t.database.db, enrollmentId))
        .filter((m) => m.step_id === 'push_a')
        .map((m) => m.channel)
        .sort(),
    ).toEqual(['sms', 'wechat']);
    const held = await paced(enrollmentId);
    expect(held.map(([step]) => step)).toEqual(['push_b', 'push_c']);
    const until = held.map(([, d]) => Date.parse((d as { until: string }).until));
    // Two hours after push_a went (a moment after 10:00), and the next day at 08:00 (two a day).
    expect(until[0]! - (start + 2 * HOUR)).toBeGreaterThanOrEqual(0);
    expect(until[0]! - (start + 2 * HOUR)).toBeLessThan(MINUTE);
    expect(until[1]).toBe(start + 22 * HOUR);

    await t.env.sleep(2 * HOUR - 3 * MINUTE);
    expect(await sentSteps(enrollmentId)).toEqual(['notice', 'push_a']);
    await t.env.sleep(3 * MINUTE);
    await eventually(async () => expect(await sentSteps(enrollmentId)).toEqual(['notice', 'push_a', 'push_b']));

    await t.env.sleep(20 * HOUR - 2 * MINUTE);
    expect(await sentSteps(enrollmentId)).toEqual(['notice', 'push_a', 'push_b']);
    await t.env.sleep(3 * MINUTE);
    await eventually(async () => expect(await sentSteps(enrollmentId)).toEqual(['notice', 'push_a', 'push_b', 'push_c']));
    await handle.terminate('test over');
  });

  it('drops the messages still held when the journey exits', async () => {
    const start = await tomorrowAtTen();
    const { enrollmentId, handle } = await enrol(t.env, t.database, t.taskQueue, pathway, { start: new Date(start).toISOString() });
    await t.env.sleep(start - (await t.env.currentTimeMs()) + MINUTE);
    await eventually(async () => expect(await sentSteps(enrollmentId)).toEqual(['notice', 'push_a']));
    await handle.executeUpdate(recordEventUpdate, { args: [{ name: 'withdrawn', id: 'w-1', by: 'coordinator-1' }] });
    await eventually(async () => expect((await paced(enrollmentId)).filter(([, d]) => (d as { dropped?: string }).dropped)).toHaveLength(2));
    await t.env.sleep(26 * HOUR);
    expect(await sentSteps(enrollmentId)).toEqual(['notice', 'push_a']);
    expect(await handle.result()).toMatchObject({ status: 'ended' });
  });
});
