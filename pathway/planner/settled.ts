/**
 * Settled occurrences: closed ones that nothing will read again but their keys, kept in a short
 * form when a journey continues as new — per step, the suffixes of their keys, numbers as ranges
 * (`education#1` … `education#24` is `"1-24"`), with counts of how many were completed and
 * skipped. One owner for the format: the planner writes and reads it, the workflow's view and
 * validators ask it.
 */
import type { JourneyState, SettledOccurrences } from '../model/journey.ts';
import { splitKey } from '../model/keys.ts';

const RANGE = /^(\d+)(?:-(\d+))?$/;

/** Parsed form of one step's settled suffixes. */
export interface SettledStep {
  ranges: [number, number][];
  others: Set<string>;
}

/** Reads the settled occurrences of a state, per step. */
export function readSettled(settled: SettledOccurrences | undefined): Map<string, SettledStep> {
  const out = new Map<string, SettledStep>();
  for (const [step, tokens] of Object.entries(settled?.steps ?? {})) {
    const entry: SettledStep = { ranges: [], others: new Set() };
    for (const token of tokens) {
      const m = RANGE.exec(token);
      if (m) entry.ranges.push([Number(m[1]), Number(m[2] ?? m[1])]);
      else entry.others.add(token);
    }
    out.set(step, entry);
  }
  return out;
}

/** Whether an occurrence key (`step#suffix`) is among the settled ones. */
export function isSettledIn(parsed: Map<string, SettledStep>, key: string): boolean {
  const split = splitKey(key);
  if (!split) return false;
  const entry = parsed.get(split.stepId);
  if (!entry) return false;
  const suffix = split.rest;
  if (entry.others.has(suffix)) return true;
  if (!/^[1-9]\d*$/.test(suffix)) return false;
  const n = Number(suffix);
  return entry.ranges.some(([a, b]) => n >= a && n <= b);
}

/** Whether an occurrence key of this state is settled (for validators and views; parses each time). */
export function isSettled(state: JourneyState, key: string): boolean {
  return state.settled !== undefined && isSettledIn(readSettled(state.settled), key);
}

/** Adds occurrence keys to the settled ones, with how each closed; returns the new short form. */
export function addSettled(settled: SettledOccurrences | undefined, closed: { key: string; how: 'completed' | 'skipped' | 'other' }[]): SettledOccurrences {
  const byStep = new Map<string, { numbers: Set<number>; others: Set<string> }>();
  const entry = (step: string) => {
    let e = byStep.get(step);
    if (!e) byStep.set(step, (e = { numbers: new Set(), others: new Set() }));
    return e;
  };
  for (const [step, parsed] of readSettled(settled)) {
    const e = entry(step);
    for (const [a, b] of parsed.ranges) for (let n = a; n <= b; n++) e.numbers.add(n);
    for (const other of parsed.others) e.others.add(other);
  }
  let completed = settled?.completed ?? 0;
  let skipped = settled?.skipped ?? 0;
  for (const { key, how } of closed) {
    const { stepId, rest: suffix } = splitKey(key) ?? { stepId: '', rest: key };
    const e = entry(stepId);
    if (/^[1-9]\d*$/.test(suffix)) e.numbers.add(Number(suffix));
    else e.others.add(suffix);
    if (how === 'completed') completed++;
    if (how === 'skipped') skipped++;
  }
  const steps: Record<string, string[]> = {};
  for (const [step, e] of [...byStep].sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))) {
    steps[step] = [...ranges([...e.numbers].sort((a, b) => a - b)), ...[...e.others].sort()];
  }
  return { steps, completed, skipped };
}

function* ranges(sorted: number[]): Generator<string> {
  for (let i = 0; i < sorted.length;) {
    let j = i;
    while (j + 1 < sorted.length && sorted[j + 1] === sorted[j]! + 1) j++;
    yield sorted[i] === sorted[j] ? String(sorted[i]) : `${sorted[i]}-${sorted[j]}`;
    i = j + 1;
  }
}
