import { describe, expect, it } from 'vitest';
import type { Action } from '../../pathway/planner/index.ts';
import { addAction, addMissed, Round, type ActionScope } from '../../workflows/journey-round.ts';
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

describe('escalations by phone: one escalation, one thing to close', () => {
  const escalationStep: Action = {
    key: 'bp_e3#1',
    type: 'issue',
    step: 'bp_e3',
    kind: 'escalation',
    urgency: 'urgent',
    plannedAt: '2027-03-01T09:00:00+08:00',
    at: '2027-03-01T09:00:00+08:00',
    role: 'doctor',
    channels: ['phone', 'app'],
    template: 'escalation_notice',
    slaMinutes: 15,
  };

  it('makes the escalation step itself the call: one tracked task, no separate call task', () => {
    const round = new Round();
    addAction(round, scope('2027-03-01T01:00:00.000Z'), escalationStep);
    expect(round.tasks).toHaveLength(1);
    expect(round.tasks[0]).toMatchObject({ track: true, input: { occurrenceKey: 'bp_e3#1', call: true, role: 'doctor' } });
    expect(round.messages.map((m) => m.channel)).toEqual(['app']);
  });

  it('moves an open task up its chain and marks it a call, instead of adding a call task', () => {
    const round = new Round();
    const open = { ...scope('2027-03-01T01:20:00.000Z'), openTasks: { 'bp_e3#1': 'task-1' } };
    addAction(round, open, { ...escalationStep, key: 'bp_e3#1/escalate-1', type: 'escalate', source: 'bp_e3#1', role: 'on_call', channels: ['phone'] });
    expect(round.tasks).toEqual([]);
    expect(round.escalations).toEqual([{ taskId: 'task-1', level: 1, role: 'on_call', assignee: null, call: true }]);
  });

  it('escalates an open task without a call when the escalation sends no phone', () => {
    const round = new Round();
    const open = { ...scope('2027-03-01T01:20:00.000Z'), openTasks: { 'bp_e3#1': 'task-1' } };
    addAction(round, open, { ...escalationStep, key: 'bp_e3#1/escalate-1', type: 'escalate', source: 'bp_e3#1', role: 'on_call', channels: ['app'] });
    expect(round.escalations).toEqual([{ taskId: 'task-1', level: 1, role: 'on_call', assignee: null }]);
    expect(round.messages).toHaveLength(1);
  });

  it('gives an unanswered message with nothing open one call task to the butler', () => {
    const round = new Round();
    addAction(round, scope('2027-03-01T01:00:00.000Z'), {
      key: 'epds#1/remind-1',
      type: 'remind',
      step: 'epds',
      kind: 'questionnaire',
      urgency: 'routine',
      plannedAt: '2027-03-01T09:00:00+08:00',
      at: '2027-03-01T09:00:00+08:00',
      channels: ['phone'],
      questionnaire: 'epds',
    });
    expect(round.tasks).toHaveLength(1);
    expect(round.tasks[0]).toMatchObject({ track: false, input: { occurrenceKey: 'epds#1/remind-1/call', call: true, role: 'butler' } });
    expect(round.messages).toEqual([]);
  });
});

describe('preference orders of channels', () => {
  const welcome: Action = {
    key: 'welcome#1',
    type: 'issue',
    step: 'welcome',
    kind: 'message',
    urgency: 'routine',
    plannedAt: '2027-03-01T09:00:00+08:00',
    at: '2027-03-01T09:00:00+08:00',
    title: '欢迎',
    channels: ['wechat', 'sms', 'phone'],
    fallbackAfter: 120,
    audience: 'patient',
    template: 'welcome',
  };

  it('sends on the first channel only, carrying the rest, and makes no call task yet', () => {
    const round = new Round();
    addAction(round, scope('2027-03-01T01:00:00.000Z'), welcome);
    expect(round.messages.map((m) => [m.channel, m.fallback])).toEqual([
      ['wechat', { next: ['sms', 'phone'], withinMinutes: 120, title: '欢迎', kind: 'message' }],
    ]);
    expect(round.tasks).toEqual([]);
  });

  it('hands a missed window to a person, with no later channel to send it late', () => {
    const round = new Round();
    addMissed(round, scope('2027-03-01T01:00:00.000Z'), welcome);
    expect(round.messages).toEqual([]);
    expect(round.handOvers.map((m) => [m.channel, m.fallback])).toEqual([['wechat', undefined]]);
  });
});
