/**
 * Windows missed because the journey ran late (the platform was held up), told apart from those
 * the patient's enrolment or the pathway's quiet hours close: the first are handed to a person.
 */
import { describe, expect, it } from 'vitest';
import { Planner, type JourneyState } from '../../pathway/planner/index.ts';
import { compiled } from './helpers.ts';

const pathway = compiled('valid/held-up.yaml');
const at = (local: string) => Date.parse(`2027-03-01T${local}:00+08:00`);

function planAt(now: string, dueSince: string | null, state: Partial<JourneyState> = {}) {
  const journey: JourneyState = { enrolledAt: '2027-03-01T10:00:00+08:00', anchors: { start: '2027-03-01T10:00:00+08:00' }, ...state };
  return new Planner(pathway, journey).planAt(at(now), dueSince === null ? null : at(dueSince));
}
const reasons = (p: ReturnType<typeof planAt>) => Object.fromEntries(p.skipped.map((s) => [s.step, s.reason]));

describe('planner: a window missed while the journey was held up', () => {
  it('hands over the message and issues the task late when the journey was due within the window', () => {
    // Due at 11:00 (its last wake-up), run only at 14:00: both windows closed at 13:00.
    const p = planAt('14:00', '11:00');
    expect(p.heldUp).toBe(true);
    const notice = p.skipped.find((s) => s.step === 'notice');
    expect(notice).toMatchObject({ key: 'notice#1', reason: 'held-up', plannedAt: '2027-03-01T11:00:00+08:00' });
    expect(notice!.missed).toMatchObject({ key: 'notice#1', kind: 'message', channels: ['wechat', 'app'], template: 'education_stage' });
    // A person's task still goes, late, with its planned time.
    expect(p.due).toMatchObject([{ key: 'call_back#1', kind: 'task', plannedAt: '2027-03-01T11:00:00+08:00' }]);
  });

  it('skips as before when the caller does not say when the journey was due', () => {
    const p = planAt('14:00', null);
    expect(p.heldUp).toBeUndefined();
    expect(reasons(p)).toMatchObject({ notice: 'window-passed', call_back: 'window-passed' });
    expect(p.due).toEqual([]);
  });

  it('skips as before when the window had closed before the journey was due (nothing ran late)', () => {
    // The journey had no reason to run between 11:00 and 13:00 (e.g. its wake-up was 13:30).
    const p = planAt('14:00', '13:30');
    expect(p.heldUp).toBeUndefined();
    expect(reasons(p)).toMatchObject({ notice: 'window-passed', call_back: 'window-passed' });
  });

  it('keeps late enrolment apart: a window closed before the enrolment is the patient’s, not the platform’s', () => {
    const p = planAt('14:00', '14:00', { enrolledAt: '2027-03-01T14:00:00+08:00' });
    expect(p.heldUp).toBeUndefined();
    expect(reasons(p)).toMatchObject({ notice: 'late-enrolment', call_back: 'late-enrolment' });
  });

  it('treats a journey started late after its enrolment as held up', () => {
    // Enrolled at 10:00 (the enrolment is when it was due first); its first round ran at 14:00.
    const p = planAt('14:00', '10:00');
    expect(reasons(p)).toMatchObject({ notice: 'held-up' });
  });

  it('gives a false condition precedence: a step that would not have gone is not handed over', () => {
    expect(reasons(planAt('14:00', '11:00')).gated).toBe('condition-false');
    expect(reasons(planAt('14:00', '11:00', { variables: { opted_in: true } })).gated).toBe('held-up');
  });

  it('hands over at once what quiet hours would hold past its window, when the journey was held up into them', () => {
    // Due at 21:00, run at 22:10: the quiet hours last until 08:00, after the 23:00 window.
    const p = planAt('22:10', '21:00', {
      occurrences: {
        'notice#1': { issuedAt: '2027-03-01T11:00:00+08:00' },
        'call_back#1': { issuedAt: '2027-03-01T11:00:00+08:00', completedAt: '2027-03-01T11:30:00+08:00' },
        'gated#1': { skipped: 'condition-false' },
      },
    });
    expect(reasons(p)).toMatchObject({ evening: 'held-up' });
    // On time (due 22:10, nothing missed), the same round waits for the morning as before.
    const onTime = planAt('22:10', '22:10', {
      occurrences: {
        'notice#1': { issuedAt: '2027-03-01T11:00:00+08:00' },
        'call_back#1': { issuedAt: '2027-03-01T11:00:00+08:00', completedAt: '2027-03-01T11:30:00+08:00' },
        'gated#1': { skipped: 'condition-false' },
      },
    });
    expect(onTime.skipped.map((s) => s.step)).not.toContain('evening');
  });

  it('skips by design what quiet hours always put past its window, held up or not', () => {
    const p = planAt('23:30', '21:00');
    expect(reasons(p).night).toBe('window-passed');
  });
});
