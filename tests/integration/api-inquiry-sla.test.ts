import { describe, expect, it } from 'vitest';
import { inquiryDeadline } from '../../enrollment/inquiries/inquiry-sla.ts';

/** An instant given in Asia/Shanghai local time. */
const shanghai = (local: string) => new Date(`${local}+08:00`);

describe('inquiry response target (Asia/Shanghai)', () => {
  it.each([
    ['2026-12-01T08:00:00', '2026-12-01T08:30:00'],
    ['2026-12-01T10:15:00', '2026-12-01T10:45:00'],
    ['2026-12-01T21:59:00', '2026-12-01T22:29:00'],
    ['2026-12-01T22:00:00', '2026-12-02T08:30:00'],
    ['2026-12-01T23:40:00', '2026-12-02T08:30:00'],
    ['2026-12-31T23:59:00', '2027-01-01T08:30:00'],
    ['2026-12-02T00:10:00', '2026-12-02T08:30:00'],
    ['2026-12-02T07:59:00', '2026-12-02T08:30:00'],
  ])('asked at %s is due at %s and escalated then', (asked, due) => {
    const deadline = inquiryDeadline(shanghai(asked), false);
    expect(deadline.dueAt.toISOString()).toBe(shanghai(due).toISOString());
    expect(deadline.escalateAt.toISOString()).toBe(shanghai(due).toISOString());
  });

  it('makes an urgent inquiry due within 5 minutes (立即响应), day or night, and escalates it then', () => {
    for (const asked of ['2026-12-01T14:00:00', '2026-12-01T03:00:00']) {
      const deadline = inquiryDeadline(shanghai(asked), true);
      expect(deadline.dueAt.getTime() - shanghai(asked).getTime()).toBe(5 * 60_000);
      expect(deadline.escalateAt.getTime() - shanghai(asked).getTime()).toBe(5 * 60_000);
    }
  });
});
