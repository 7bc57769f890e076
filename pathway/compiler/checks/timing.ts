/**
 * How each step's occurrences arise, and timing rules that follow from it: scheduled steps need
 * a start, dependent steps follow exactly one step, triggered steps are timed from `trigger`,
 * recurrences are bounded.
 */
import { sub, type Analysis } from '../analysis.ts';
import { parseDuration } from '../../planner/duration.ts';

/** Fills `a.dependsOn` and reports timing mistakes. */
export function checkTiming(a: Analysis): void {
  checkPacing(a);
  for (const step of a.draft.steps) {
    const timing = sub(step.def, 'timing');
    const timingPath = [...step.path, 'timing'];
    const id = step.id ?? '';
    const triggered = a.triggered.has(id);
    const sources = new Set<string>();
    let firstStepRef: string | undefined;
    for (const field of ['at', 'earliest', 'latest', 'until']) {
      const ref = a.ref([...timingPath, field]);
      if (!ref || (ref.base !== 'done' && ref.base !== 'data')) continue;
      sources.add(ref.step);
      firstStepRef ??= field;
      if (sources.size > 1) {
        a.report('mixed-step-refs', `a step can follow only one other step; this timing refers to ${[...sources].join(' and ')}`, [...timingPath, field]);
      }
    }
    if (triggered) {
      for (const field of ['at', 'earliest']) {
        const ref = a.ref([...timingPath, field]);
        if (ref && ref.base !== 'trigger') {
          a.report('trigger-mismatch', `step '${id}' is triggered by a rule or event, so '${field}' must be 'trigger' or 'trigger + …'`, [
            ...timingPath,
            field,
          ]);
        }
      }
    } else if (sources.size > 0) {
      a.dependsOn.set(id, [...sources][0]!);
    } else if (timing['at'] === undefined && timing['earliest'] === undefined && step.id) {
      a.report(
        'missing-timing',
        `step '${id}' needs timing.at or timing.earliest (or a rule or event that triggers it)`,
        step.def['timing'] ? timingPath : [...step.path, 'id'],
      );
    }
    checkRecurrence(a, timing, timingPath, triggered || sources.size > 0);
    checkCatchUp(a, timing, timingPath, triggered || sources.size > 0);
  }
}

/** A catch-up policy belongs to a scheduled step; `compress` to one that recurs a counted number of times. */
function checkCatchUp(a: Analysis, timing: Record<string, unknown>, path: (string | number)[], followsSomething: boolean): void {
  const policy = timing['catch_up'];
  if (policy === undefined) return;
  if (followsSomething) {
    a.report(
      'catch-up-invalid',
      "'catch_up' applies to scheduled steps: a step that follows another step or a trigger is never late for an enrolment",
      [...path, 'catch_up'],
      { key: true },
    );
  } else if (policy === 'compress' && (timing['every'] === undefined || timing['count'] === undefined)) {
    a.report('catch-up-invalid', "'catch_up: compress' spreads a counted recurrence over what remains of it: it needs 'every' and 'count'", [
      ...path,
      'catch_up',
    ]);
  }
}

function checkRecurrence(a: Analysis, timing: Record<string, unknown>, path: (string | number)[], followsSomething: boolean): void {
  const every = typeof timing['every'] === 'string' ? parseDuration(timing['every']) : null;
  if (timing['every'] === undefined) {
    for (const field of ['until', 'count', 'stop_on']) {
      if (timing[field] !== undefined)
        a.report('recurrence-without-every', `'${field}' only applies to a recurring step; add 'every'`, [...path, field], { key: true });
    }
    return;
  }
  if (followsSomething) {
    a.report(
      'recurrence-not-allowed',
      'only scheduled steps can recur; a step that follows another step or a trigger happens once per occurrence of it',
      [...path, 'every'],
      { key: true },
    );
    return;
  }
  if (every && every.minutes === 0) a.report('recurrence-unbounded', "'every' must be longer than 0", [...path, 'every']);
  if (timing['until'] === undefined && timing['count'] === undefined) {
    a.report('recurrence-unbounded', "a recurring step needs 'until' or 'count' so that it ends", [...path, 'every'], { key: true });
  }
}

/** The longest gap between routine messages: a longer one would hold a message into the next day's plans. */
const MAX_GAP_MINUTES = 12 * 60;

/** `pacing.gap` between 1 minute and 12 hours. */
function checkPacing(a: Analysis): void {
  const gap = sub(a.draft.root, 'pacing')['gap'];
  if (typeof gap !== 'string') return;
  const minutes = parseDuration(gap)?.minutes;
  if (minutes !== undefined && (minutes < 1 || minutes > MAX_GAP_MINUTES)) {
    a.report('pacing-gap', `'gap: ${gap}' is outside 1min–12h: routine messages spaced further apart would be held into the next day's`, ['pacing', 'gap']);
  }
}
