import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { mayTriggerUrgentWork } from '../../pathway/model/urgent-inputs.ts';
import { compilePathway } from '../support/journey-harness.ts';

const midPregnancy = compilePathway(fileURLToPath(new URL('../../pathways/obstetrics/mid-pregnancy.yaml', import.meta.url)));

describe('inputs that may set off urgent work', () => {
  it('are the events, readings and answers whose triggered steps include an urgent one', () => {
    expect(mayTriggerUrgentWork(midPregnancy, { kind: 'event', name: 'emergency' })).toBe(true);
    expect(mayTriggerUrgentWork(midPregnancy, { kind: 'event', name: 'withdrawn' })).toBe(false);
    expect(mayTriggerUrgentWork(midPregnancy, { kind: 'event', name: 'no-such-event' })).toBe(false);
    expect(mayTriggerUrgentWork(midPregnancy, { kind: 'reading', metric: 'blood_pressure' })).toBe(true);
    expect(mayTriggerUrgentWork(midPregnancy, { kind: 'reading', metric: 'weight' })).toBe(false);
    expect(mayTriggerUrgentWork(midPregnancy, { kind: 'answers', stepId: 'epds_mid' })).toBe(true);
    expect(mayTriggerUrgentWork(midPregnancy, { kind: 'answers', stepId: 'satisfaction' })).toBe(false);
  });

  it('include every input when the pathway is not at hand', () => {
    expect(mayTriggerUrgentWork(undefined, { kind: 'event', name: 'withdrawn' })).toBe(true);
  });
});
