/** A journey's rounds when it ran late: what it missed goes to a person (workflows/journey-run.ts). */
import { describe, expect, it } from 'vitest';
import { JourneyRun } from '../../workflows/journey-run.ts';
import type { JourneyInput } from '../../workflows/journey-definitions.ts';
import { compiled } from '../pathway/helpers.ts';

const pathway = compiled('valid/held-up.yaml');
const local = (time: string) => new Date(`2027-03-01T${time}:00+08:00`).toISOString();

function journeyAt(enrolled: string, extra: Partial<JourneyInput> = {}): JourneyInput {
  return {
    enrollmentId: 'e1',
    patientRef: 'P-1',
    tenant: 't',
    butlerId: 'b1',
    pathway,
    journey: { enrolledAt: local(enrolled), anchors: { start: local('10:00') } },
    ...extra,
  };
}

describe('a journey round after the journey was held up', () => {
  it('hands the messages it missed to a person and issues the late task', () => {
    const run = new JourneyRun(journeyAt('10:00'), local('10:00'));
    expect(run.planRound(local('10:00')).round.empty).toBe(true);
    // Its next wake-up was 11:00; the platform ran it only at 14:00.
    const { round } = run.planRound(local('14:00'));
    expect(round.messages).toEqual([]);
    expect(round.handOvers.map((m) => [m.occurrenceKey, m.channel])).toEqual([
      ['notice#1', 'wechat'],
      ['notice#1', 'app'],
    ]);
    expect(round.tasks.map((t) => t.input.occurrenceKey)).toEqual(['call_back#1']);
    expect(round.events.find((e) => e.eventKey === 'skipped:notice#1')?.details).toMatchObject({ reason: 'held-up' });
    expect(run.state.occurrences!['notice#1']).toEqual({ skipped: 'held-up' });
  });

  it('skips as before when the run may not hand over (a history from before the change)', () => {
    const run = new JourneyRun(journeyAt('10:00'), local('10:00'));
    run.planRound(local('10:00'));
    let asked = 0;
    const { round } = run.planRound(local('14:00'), () => (asked++, false));
    expect(asked).toBe(1);
    expect(round.handOvers).toEqual([]);
    expect(round.tasks).toEqual([]);
    expect(run.state.occurrences!['notice#1']).toEqual({ skipped: 'window-passed' });
  });

  it('does not ask when nothing was missed', () => {
    const run = new JourneyRun(journeyAt('10:00'), local('10:00'));
    run.planRound(local('10:00'));
    let asked = 0;
    const { round } = run.planRound(local('11:00'), () => (asked++, true));
    expect(asked).toBe(0);
    expect(round.messages.map((m) => m.occurrenceKey)).toContain('notice#1');
  });

  it('carries the planned wake-up into the next run, so that its first round knows when it was due', () => {
    const run = new JourneyRun(journeyAt('10:00'), local('10:00'));
    run.planRound(local('10:00'));
    const next = run.carryOver();
    expect(next.dueAt).toBe('2027-03-01T11:00:00+08:00');
    const later = new JourneyRun(next, local('14:00'));
    expect(later.planRound(local('14:00')).round.handOvers.length).toBe(2);
  });
});
