import { describe, expect, it } from 'vitest';
import { checkEnrollmentAnchors } from '../../enrollment/enrollment-input.ts';
import { fitsType, type JourneyState } from '../../pathway/planner/index.ts';
import { InvalidUpdate, validateSetAnchor, validateSubmitReading } from '../../workflows/journey-validation.ts';
import { compiled } from '../pathway/helpers.ts';

const pathway = compiled('valid/pregnancy.yaml');
const state: JourneyState = { enrolledAt: '2027-03-01T08:00:00+08:00', anchors: { lmp: '2027-01-15' }, readings: [] };
const reading = (at: string) => ({ id: 'r1', metric: 'blood_pressure', at, values: { sbp: 168, dbp: 112 }, by: 'patient' });
const NOW = '2027-06-01T02:00:00.000Z';

describe('home readings', () => {
  it('refuses a reading dated more than a minute ahead of the journey clock', () => {
    expect(() => validateSubmitReading(pathway, state, reading('2027-06-01T10:05:00+08:00'), NOW)).toThrow(InvalidUpdate);
    expect(() => validateSubmitReading(pathway, state, reading('2027-06-01T10:05:00+08:00'), NOW)).toThrow(/in the future/);
  });

  it('takes a reading from a clock a few seconds fast, and one from the past', () => {
    expect(() => validateSubmitReading(pathway, state, reading('2027-06-01T10:00:30+08:00'), NOW)).not.toThrow();
    expect(() => validateSubmitReading(pathway, state, reading('2027-05-31T21:00:00+08:00'), NOW)).not.toThrow();
  });

  it('refuses a reading without a field the monitor requires, naming it', () => {
    const partial = { ...reading('2027-05-31T21:00:00+08:00'), values: { sbp: 168 } };
    expect(() => validateSubmitReading(pathway, state, partial, NOW)).toThrow(/a 'blood_pressure' reading needs 'dbp'/);
  });
});

describe('one check of values, at enrolment and in the journey', () => {
  const values = ['2027-07-10', '2028-02-29', '2027-02-29', '2027-13-01', '2027-7-10', '2027-07-10T09:00', 'soon', ''];

  it.each(values)('an anchor value %j is accepted at enrolment exactly when a correction accepts it', (value) => {
    const atEnrolment = (() => {
      try {
        checkEnrollmentAnchors(pathway, { lmp: '2027-01-15', edd: value });
        return true;
      } catch {
        return false;
      }
    })();
    const inJourney = (() => {
      try {
        validateSetAnchor(pathway, state, { name: 'edd', value, by: 'b1' });
        return true;
      } catch {
        return false;
      }
    })();
    expect(inJourney).toBe(atEnrolment);
    expect(atEnrolment).toBe(fitsType('date', value, pathway.timezone.offsetMinutes));
  });

  it('refuses a fractional value for a whole-number reading field', () => {
    expect(fitsType('int', 2.5, 480)).toBe(false);
    expect(fitsType('double', 2.5, 480)).toBe(true);
    expect(fitsType('datetime', '2027-03-01T09', 480)).toBe(false);
  });
});
