import { describe, expect, it } from 'vitest';
import type { SendMessageInput } from '../../activities/messages.ts';
import type { CompiledPathway } from '../../pathway/planner/index.ts';
import { Pacing } from '../../workflows/pacing.ts';

const HOUR = 3_600_000;
/** A pathway as pacing reads it: Shanghai, quiet 21:00–08:00. */
const pathway = (pacing?: CompiledPathway['pacing']) =>
  ({ timezone: { name: 'Asia/Shanghai', offsetMinutes: 480 }, quietHours: { start: 21 * 60, end: 8 * 60 }, ...(pacing ? { pacing } : {}) }) as CompiledPathway;
/** 2027-03-01 at `h` o'clock in Shanghai. */
const at = (h: number) => Date.parse('2027-03-01T00:00:00+08:00') + h * HOUR;
const message = (occurrenceKey: string, extra: Partial<SendMessageInput> = {}): SendMessageInput => ({
  enrollmentId: 'e1',
  patientRef: 'p1',
  stepId: occurrenceKey.split('#')[0]!,
  occurrenceKey,
  channel: 'wechat',
  audience: 'patient',
  templateId: 't',
  variables: {},
  urgent: false,
  ...extra,
});

describe('pacing of routine messages', () => {
  it('passes everything when the pathway declares none', () => {
    const pacing = new Pacing(pathway());
    expect(pacing.admit([message('a#1'), message('b#1')], at(10)).go).toHaveLength(2);
    expect(pacing.heldCount).toBe(0);
  });

  it('spaces a burst by the gap and moves what the day cannot take to the next morning', () => {
    const pacing = new Pacing(pathway({ perDay: 2, gapMinutes: 120 }));
    const { go, held } = pacing.admit([message('a#1'), message('a#1', { channel: 'sms' }), message('b#1'), message('c#1')], at(10));
    expect(go.map((m) => `${m.occurrenceKey}/${m.channel}`)).toEqual(['a#1/wechat', 'a#1/sms']);
    expect(held.map((h) => [h.occurrenceKey, Date.parse(h.at)])).toEqual([
      ['b#1', at(12)],
      ['c#1', at(24 + 8)],
    ]);
    expect(pacing.nextMs()).toBe(at(12));
    expect(pacing.takeDue(at(12)).map((h) => h.occurrenceKey)).toEqual(['b#1']);
    expect(pacing.heldCount).toBe(1);
  });

  it('never holds an urgent message or one for staff, and keeps a turn out of quiet hours', () => {
    const pacing = new Pacing(pathway({ gapMinutes: 120 }));
    pacing.admit([message('a#1')], at(20));
    const { go, held } = pacing.admit([message('u#1', { urgent: true }), message('s#1', { audience: 'doctor' }), message('b#1')], at(20.5));
    expect(go.map((m) => m.occurrenceKey)).toEqual(['u#1', 's#1']);
    expect(Date.parse(held[0]!.at)).toBe(at(24 + 8)); // 22:00 is quiet: 08:00 the next day
  });

  it('carries its turns and held messages across continue-as-new', () => {
    const first = new Pacing(pathway({ perDay: 1 }));
    first.admit([message('a#1'), message('b#1')], at(10));
    const next = new Pacing(pathway({ perDay: 1 }), JSON.parse(JSON.stringify(first.state)));
    expect(next.heldCount).toBe(1);
    expect(Date.parse(next.admit([message('c#1')], at(11)).held[0]!.at)).toBe(at(48 + 8)); // a today, b tomorrow, c the day after
  });
});
