import { describe, expect, it } from 'vitest';
import type { Action } from '../../pathway/planner/index.ts';
import { addAction, Round, type ActionScope } from '../../workflows/journey-round.ts';
import { compiled } from '../pathway/helpers.ts';

const pathway = compiled('valid/pregnancy.yaml');

function scope(now: string): ActionScope {
  return {
    input: { enrollmentId: 'e1', patientRef: 'P-1', tenant: 't', butlerId: 'b1', pathway, journey: { enrolledAt: now, anchors: { lmp: '2027-01-15' } } },
    now,
    pathway,
    openTasks: {},
    anchors: { lmp: '2027-01-15' },
    sourceData: () => undefined,
  };
}

const task = (at: string): Action => ({
  key: 'book_booking_visit#1',
  type: 'issue',
  step: 'book_booking_visit',
  kind: 'task',
  urgency: 'routine',
  plannedAt: at,
  at,
  role: 'butler',
  slaMinutes: 2 * 1_440,
});

describe('tasks of a round', () => {
  it('counts the SLA from when the task is issued, not from when it was planned (a late enrolee)', () => {
    const round = new Round();
    // Planned at 6 weeks; the patient enrolled at 10 weeks, so the task is caught up today.
    addAction(round, scope('2027-03-26T02:00:00.000Z'), task('2027-02-26T09:00:00+08:00'));
    expect(round.tasks[0]!.input.dueAt).toBe('2027-03-28T02:00:00.000Z');
  });

  it('keeps the planned moment when the task goes out on time', () => {
    const round = new Round();
    addAction(round, scope('2027-02-26T01:00:00.000Z'), task('2027-02-26T09:00:00+08:00'));
    expect(round.tasks[0]!.input.dueAt).toBe('2027-02-28T01:00:00.000Z');
    expect(round.tasks[0]).toMatchObject({ track: true, input: { assignee: 'b1', role: 'butler', urgent: false } });
  });
});
