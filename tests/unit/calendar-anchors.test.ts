import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { checkEnrollmentAnchors } from '../../enrollment/enrollment-input.ts';
import { compileFile } from '../../pathway/compiler/compile.ts';
import { InvalidUpdate, validateSetAnchor, validateSetVariable } from '../../workflows/journey-validation.ts';

const ivf = compileFile(fileURLToPath(new URL('../../pathways/reproductive/ivf-cycle.yaml', import.meta.url))).compiled!;
const checkup = compileFile(fileURLToPath(new URL('../../pathways/post-checkup/premium.yaml', import.meta.url))).compiled!;

describe("calendar dates are the pathway's, not the patient's", () => {
  it('refuses a calendar date given at enrolment, naming it', () => {
    expect(() => checkEnrollmentAnchors(ivf, { cycle_start: '2027-03-01', spring_festival_2027: '2027-02-07' })).toThrow(
      /'spring_festival_2027' is a calendar date of pathway reproductive\.ivf-cycle \(2027-02-06\), not an anchor to give/,
    );
    expect(() => checkEnrollmentAnchors(ivf, { cycle_start: '2027-03-01' })).not.toThrow();
  });

  it('refuses to set a calendar date on a running journey', () => {
    const state = { enrolledAt: '2027-03-01T00:00:00+08:00', anchors: { cycle_start: '2027-03-01' } };
    expect(() => validateSetAnchor(ivf, state, { name: 'spring_festival_2027', value: '2027-02-07', by: 'x' })).toThrow(InvalidUpdate);
    expect(() => validateSetAnchor(ivf, state, { name: 'trigger_at', value: '2027-03-13T21:00:00+08:00', by: 'nurse-1' })).not.toThrow();
  });
});

describe('variables set after enrolment', () => {
  it('takes a value of the declared type only', () => {
    expect(() => validateSetVariable(checkup, { name: 'ldl', value: 4.4, by: 'doctor-1' })).not.toThrow();
    expect(() => validateSetVariable(checkup, { name: 'ldl', value: 'high', by: 'doctor-1' })).toThrow(/variable 'ldl' is a double/);
    expect(() => validateSetVariable(checkup, { name: 'nope', value: 1, by: 'doctor-1' })).toThrow(/has no variable 'nope'/);
    expect(() => validateSetVariable(checkup, { name: 'ldl', value: 4.4, by: '' })).toThrow(/'by'/);
  });
});
