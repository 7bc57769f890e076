import { describe, expect, it } from 'vitest';
import { patientAge } from '../../enrollment/patient-context.ts';
import { compilePathway } from '../support/journey-harness.ts';

const pregnancy = compilePathway('pathways/obstetrics/full-pregnancy.yaml');
const ivf = compilePathway('pathways/reproductive/ivf-cycle.yaml');
const checkup = compilePathway('pathways/post-checkup/basic.yaml');
const enrolledAt = new Date('2027-03-01T02:00:00Z');
const at = (iso: string) => new Date(iso);

describe("a patient's place in her program, for the worklist", () => {
  it('counts gestational age from the dating anchor in the hospital’s day, and follows a corrected EDD', () => {
    const given = { anchors: { lmp: '2027-01-15' }, events: {} };
    expect(patientAge(pregnancy, given, enrolledAt, at('2027-03-01T02:00:00Z'))).toEqual({ style: 'gestational-age', label: '6+3' });
    // 23:30 UTC is already the next day in Beijing.
    expect(patientAge(pregnancy, given, enrolledAt, at('2027-03-01T23:30:00Z'))?.label).toBe('6+4');
    const redated = { anchors: { lmp: '2027-01-15', edd: '2027-10-18' }, events: {} };
    expect(patientAge(pregnancy, redated, enrolledAt, at('2027-03-01T02:00:00Z'))?.label).toBe('7+0');
  });

  it('counts days after the birth once the delivery is recorded', () => {
    const delivered = { anchors: { lmp: '2027-01-15' }, events: { delivered: '2027-10-20T10:00:00+08:00' } };
    expect(patientAge(pregnancy, delivered, enrolledAt, at('2027-10-27T04:00:00Z'))).toEqual({ style: 'postpartum', label: '产后D+7' });
  });

  it('shows the cycle day of an IVF cycle and the days since a check-up', () => {
    expect(patientAge(ivf, { anchors: { cycle_start: '2027-03-01' }, events: {} }, enrolledAt, at('2027-03-12T04:00:00Z'))).toEqual({
      style: 'cycle-day',
      label: 'CD12',
    });
    expect(patientAge(checkup, { anchors: { checkup: '2027-03-01' }, events: {} }, enrolledAt, at('2027-03-31T04:00:00Z'))?.label).toBe('D+30');
  });

  it('shows nothing when nothing was recorded, or what was recorded no longer reads', () => {
    expect(patientAge(pregnancy, undefined, enrolledAt, enrolledAt)).toBeUndefined();
    expect(patientAge(pregnancy, { anchors: { lmp: 'not a date' }, events: {} }, enrolledAt, enrolledAt)).toBeUndefined();
  });
});
