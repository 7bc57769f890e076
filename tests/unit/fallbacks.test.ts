import { describe, expect, it } from 'vitest';
import type { SendMessageInput } from '../../activities/messages.ts';
import type { CompiledPathway } from '../../pathway/planner/index.ts';
import { Fallbacks, nextMessage } from '../../workflows/fallbacks.ts';

const pathway = { timezone: { name: 'Asia/Shanghai', offsetMinutes: 480 }, quietHours: { start: 21 * 60, end: 8 * 60 } } as CompiledPathway;
const message = (urgent: boolean, next = ['sms', 'phone']): SendMessageInput => ({
  enrollmentId: 'e-1',
  patientRef: 'P-1',
  stepId: 'welcome',
  occurrenceKey: 'welcome#1',
  channel: 'wechat',
  audience: 'patient',
  templateId: 'welcome',
  variables: {},
  urgent,
  fallback: { next, withinMinutes: 120, title: '欢迎', kind: 'message' },
});
const at = (local: string) => Date.parse(`${local}+08:00`);

describe('preference orders of channels', () => {
  it('gives a channel that reports delivery its time, moved out of quiet hours for a routine message', () => {
    const f = new Fallbacks(pathway);
    f.afterSend([message(false)], [{ idempotencyKey: 'k', providerMessageId: 'm', outcome: 'sent', awaitsReceipt: true }], at('2026-12-07T20:00:00'));
    // 22:00 is in quiet hours: the SMS waits for 08:00.
    expect(f.pending[0]!.at).toBe(new Date(at('2026-12-08T08:00:00')).toISOString());
    expect(f.takeDue(at('2026-12-08T07:59:00'))).toEqual([]);
    expect(f.takeDue(at('2026-12-08T08:00:00'))).toHaveLength(1);
    expect(f.count).toBe(0);
  });

  it('moves an urgent message on at its time, whatever the hour, and a failed one at once', () => {
    const f = new Fallbacks(pathway);
    f.afterSend(
      [message(true), { ...message(true), occurrenceKey: 'welcome#2' }],
      [
        { idempotencyKey: 'a', providerMessageId: 'm', outcome: 'sent', awaitsReceipt: true },
        { idempotencyKey: 'b', providerMessageId: null, outcome: 'failed' },
      ],
      at('2026-12-07T20:00:00'),
    );
    expect(f.pending.map((p) => [p.at, p.failed ?? false])).toEqual([
      [new Date(at('2026-12-07T22:00:00')).toISOString(), false],
      [new Date(at('2026-12-07T20:00:00')).toISOString(), true],
    ]);
    expect(f.nextMs()).toBe(at('2026-12-07T20:00:00'));
  });

  it('waits for nothing when the channel reports no delivery, or when the send was handed to a person', () => {
    const f = new Fallbacks(pathway);
    f.afterSend([message(false)], [{ idempotencyKey: 'k', providerMessageId: 'm', outcome: 'sent' }], at('2026-12-07T10:00:00'));
    f.afterSend([message(false)], [{ idempotencyKey: 'k', providerMessageId: null, outcome: 'handed-over' }], at('2026-12-07T10:00:00'));
    f.afterSend([message(false)], undefined, at('2026-12-07T10:00:00'));
    expect(f.count).toBe(0);
  });

  it('names the next channel with the rest of the order, and the call at the end as none', () => {
    const sms = nextMessage({ ...message(false), fallback: message(false).fallback! })!;
    expect(sms).toMatchObject({ channel: 'sms', fallback: { next: ['phone'] } });
    expect(nextMessage({ ...sms, fallback: sms.fallback! })).toBeNull();
    const last = nextMessage({ ...message(false, ['sms']), fallback: message(false, ['sms']).fallback! })!;
    expect(last.channel).toBe('sms');
    expect(last.fallback).toBeUndefined();
  });
});
