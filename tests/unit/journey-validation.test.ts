import { describe, expect, it } from 'vitest';
import type { JourneyState } from '../../pathway/planner/index.ts';
import { InvalidUpdate, validateSubmitReading } from '../../workflows/journey-validation.ts';
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
