import { describe, expect, it } from 'vitest';
import { addSettled, isSettledIn, readSettled } from '../../pathway/planner/settled.ts';

describe('settled occurrences in short form', () => {
  it('keeps numbered keys as ranges and other suffixes as they are, with counts', () => {
    const closed = [1, 2, 3, 5, 7, 8].map((n) => ({ key: `education#${n}`, how: 'other' as const }));
    const settled = addSettled(undefined, [
      ...closed,
      { key: 'alarm_call#r:bp-1,2', how: 'completed' },
      { key: 'visit_notice#e:delivered-3', how: 'skipped' },
      { key: 'check_notice#check_call#r:x', how: 'completed' },
    ]);
    expect(settled).toEqual({
      steps: { alarm_call: ['r:bp-1,2'], check_notice: ['check_call#r:x'], education: ['1-3', '5', '7-8'], visit_notice: ['e:delivered-3'] },
      completed: 2,
      skipped: 1,
    });
    const parsed = readSettled(settled);
    for (const key of ['education#1', 'education#3', 'education#5', 'education#8', 'alarm_call#r:bp-1,2', 'check_notice#check_call#r:x'])
      expect(isSettledIn(parsed, key)).toBe(true);
    for (const key of ['education#4', 'education#6', 'education#9', 'education#01', 'alarm_call#r:bp-1', 'other#1', 'education'])
      expect(isSettledIn(parsed, key)).toBe(false);
  });

  it('merges a later run into what was settled before', () => {
    const first = addSettled(
      undefined,
      [1, 2].map((n) => ({ key: `tip#${n}`, how: 'skipped' as const })),
    );
    const second = addSettled(
      first,
      [3, 4].map((n) => ({ key: `tip#${n}`, how: 'completed' as const })),
    );
    expect(second).toEqual({ steps: { tip: ['1-4'] }, completed: 2, skipped: 2 });
  });
});
