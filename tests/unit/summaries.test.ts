import { describe, expect, it } from 'vitest';
import type { SendMessageInput } from '../../activities/messages.ts';
import { Round } from '../../workflows/journey-round.ts';
import { roundSummary, sendSummary, wakeSummary } from '../../workflows/summaries.ts';

const message = (occurrenceKey: string, channel: string): SendMessageInput => ({
  enrollmentId: 'e1',
  patientRef: 'P-1',
  stepId: occurrenceKey.split('#')[0]!,
  occurrenceKey,
  channel,
  audience: 'patient',
  templateId: 't',
  variables: { name: 'never shown' },
  urgent: false,
});

describe("summaries of a journey's commands", () => {
  it('name the occurrences a send carries, with their channels, and nothing of the variables', () => {
    const summary = sendSummary([message('welcome#1', 'wechat'), message('welcome#1', 'sms'), message('epds_early#1', 'app')]);
    expect(summary).toBe('send welcome#1 (wechat, sms), epds_early#1 (app)');
  });

  it('stay one short line however many items there are', () => {
    const many = Array.from({ length: 60 }, (_, i) => message(`course_push_with_a_long_name#${i + 1}`, 'wechat'));
    const summary = sendSummary(many, 'hand over unsent');
    expect(summary).toMatch(/^hand over unsent course_push_with_a_long_name#1 \(wechat\), .* \+56 more$/);
    expect(summary.length).toBeLessThanOrEqual(200);
  });

  it('count what a round writes', () => {
    const round = new Round();
    round.escalations.push({ taskId: 't1', level: 2, role: 'doctor', assignee: null });
    round.closes.push({ taskId: 't2', status: 'cancelled', by: 'system', result: null, at: '2027-01-01T00:00:00Z' });
    round.ended = { status: 'completed', at: '2027-01-01T00:00:00Z' };
    expect(roundSummary(round)).toBe('round: escalate 1 (level 2) · close 1 (cancelled) · ended completed');
    expect(roundSummary(new Round())).toBe('round: nothing');
  });

  it('say when the journey wakes next, and in which stage', () => {
    expect(wakeSummary('2027-03-01T09:00:00+08:00', 'early')).toBe('next planned moment 2027-03-01T09:00:00+08:00 (stage early)');
    expect(wakeSummary(null, undefined)).toBe('next planned moment none');
  });
});
