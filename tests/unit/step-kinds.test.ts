import { readFileSync } from 'node:fs';
import { describe, expect, it } from 'vitest';
import { AWAITED_KINDS, OPEN_VIEW_KINDS, STAFF_COMPLETED_KINDS, STEP_KINDS } from '../../pathway/model/step-kinds.ts';

describe('step kinds', () => {
  it('are the kinds the JSON schema offers editors', () => {
    const schema = readFileSync(new URL('../../schemas/pathway.schema.json', import.meta.url), 'utf8');
    const inSchema = [...schema.matchAll(/"kind":\s*\{\s*"const":\s*"([a-z]+)"/g)].map((m) => m[1]);
    expect(new Set(inSchema)).toEqual(new Set(STEP_KINDS));
  });

  it('list as open everything awaited or completed by staff, and nothing sent and forgotten', () => {
    for (const kind of [...AWAITED_KINDS, ...STAFF_COMPLETED_KINDS]) expect(OPEN_VIEW_KINDS.has(kind)).toBe(true);
    expect(OPEN_VIEW_KINDS.has('message')).toBe(false);
    expect(OPEN_VIEW_KINDS.has('monitor')).toBe(false);
    // The patient answers a questionnaire; staff never complete it for her.
    expect(STAFF_COMPLETED_KINDS.has('questionnaire')).toBe(false);
  });
});
