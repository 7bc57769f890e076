/** An anchor's plausible window around the enrolment day: declared in the language, checked at enrolment and in the journey. */
import { describe, expect, it } from 'vitest';
import { compileFile } from '../../pathway/compiler/compile.ts';
import { checkEnrollmentAnchors, checkEnrollmentVariables } from '../../enrollment/enrollment-input.ts';
import { anchorPlausibilityProblem, fitsType, type JourneyState } from '../../pathway/planner/index.ts';
import { InvalidUpdate, validateRecordEvent, validateSetAnchor } from '../../workflows/journey-validation.ts';
import { REPO } from './helpers.ts';

const pregnancy = compileFile(`${REPO}pathways/obstetrics/full-pregnancy.yaml`).compiled!;
const ENROLLED = '2026-12-06T10:00:00+08:00';
const state: JourneyState = { enrolledAt: ENROLLED, anchors: { lmp: '2026-09-01' } };

describe('anchor plausibility', () => {
  it('compiles a declared window to minutes and leaves undeclared anchors without one', () => {
    expect(pregnancy.anchors.lmp!.plausible).toEqual({ before: 44 * 7 * 1440, after: 0 });
    expect(pregnancy.anchors.edd!.plausible).toBeUndefined();
  });

  it('takes an LMP from 44 weeks before the enrolment day up to that day, refuses one a day outside', () => {
    for (const lmp of ['2026-02-01', '2026-09-01', '2026-12-06']) expect(anchorPlausibilityProblem(pregnancy, 'lmp', lmp, ENROLLED), lmp).toBeNull();
    expect(anchorPlausibilityProblem(pregnancy, 'lmp', '2026-01-31', ENROLLED)).toBe(
      "anchor 'lmp' 2026-01-31 is not plausible: the pathway expects it from 2026-02-01 to 2026-12-06 (44w before to 0d after the enrolment day 2026-12-06)",
    );
    expect(anchorPlausibilityProblem(pregnancy, 'lmp', '2026-12-07', ENROLLED)).toMatch(/not plausible/);
  });

  it('reads the enrolment day in the pathway time zone (00:30 in Shanghai is the previous day in UTC)', () => {
    expect(anchorPlausibilityProblem(pregnancy, 'lmp', '2026-12-06', '2026-12-05T16:30:00Z')).toBeNull();
    expect(anchorPlausibilityProblem(pregnancy, 'lmp', '2026-12-06', '2026-12-05T15:30:00Z')).toMatch(/not plausible/);
  });

  it('gives an anchor without a window three years either side: no journey planned for centuries', () => {
    expect(anchorPlausibilityProblem(pregnancy, 'edd', '2027-06-08', ENROLLED)).toBeNull();
    expect(anchorPlausibilityProblem(pregnancy, 'edd', '2999-01-01', ENROLLED)).toMatch(/156w before to 156w after/);
    expect(anchorPlausibilityProblem(pregnancy, 'edd', '1900-01-01', ENROLLED)).toMatch(/not plausible/);
  });

  it('refuses an implausible value at enrolment, in a correction and from an event that sets the anchor', () => {
    expect(() => checkEnrollmentAnchors(pregnancy, { lmp: '1900-01-01' }, ENROLLED)).toThrow(/invalid anchors: anchor 'lmp' 1900-01-01 is not plausible/);
    expect(() => checkEnrollmentAnchors(pregnancy, { lmp: '2026-09-01' }, ENROLLED)).not.toThrow();
    expect(() => validateSetAnchor(pregnancy, state, { name: 'edd', value: '2999-01-01', by: 'b1' })).toThrow(InvalidUpdate);
    expect(() => validateSetAnchor(pregnancy, state, { name: 'edd', value: '2027-06-01', by: 'b1' })).not.toThrow();
    const delivered = Object.entries(pregnancy.events).find(([, e]) => e.setsAnchor === 'delivery')![0];
    const event = (at: string) => validateRecordEvent(pregnancy, state, { id: 'e1', name: delivered, at, by: 'b1' }, '2027-06-01T02:00:00Z', false);
    expect(() => event('1901-01-01')).toThrow(/sets anchor 'delivery' 1901-01-01 is not plausible/);
    expect(() => event('2027-05-30')).not.toThrow();
  });

  it('refuses an int beyond 2^53, which JSON no longer holds exactly', () => {
    expect(fitsType('int', 2 ** 53 - 1, 480)).toBe(true);
    expect(fitsType('int', 2 ** 70, 480)).toBe(false);
    const withInt = Object.entries(pregnancy.variables).find(([, v]) => v.type === 'int');
    if (withInt) expect(() => checkEnrollmentVariables(pregnancy, { [withInt[0]]: 2 ** 70 })).toThrow(/must be a int/);
  });
});
