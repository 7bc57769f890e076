/** Unique ids, reserved names, and calendar dates that clash with anchors or steps. */
import { type Analysis, type Listed } from '../analysis.ts';

const RESERVED = new Set(['trigger', 'score', 'items', 'band', 'patient', 'now']);

/** Reports ids used twice in one list (steps, stages, entitlements) and reserved names. */
export function checkIds(a: Analysis): void {
  for (const [label, list] of [
    ['step', a.draft.steps],
    ['stage', a.draft.stages],
    ['entitlement', a.draft.entitlements],
  ] as [string, Listed[]][]) {
    const first = new Map<string, Listed>();
    for (const item of list) {
      if (!item.id) continue;
      const earlier = first.get(item.id);
      if (earlier) {
        const line = a.locator.position([...earlier.path, 'id']).line;
        a.report('duplicate-id', `${label} id '${item.id}' is already used on line ${line}`, [...item.path, 'id']);
      } else first.set(item.id, item);
    }
  }
  for (const named of [...a.draft.anchors, ...a.draft.calendar, ...a.draft.variables]) {
    if (RESERVED.has(named.name)) a.report('reserved-name', `'${named.name}' is a reserved name; choose another`, named.path, { key: true });
  }
  for (const step of a.draft.steps) {
    if (step.id && RESERVED.has(step.id)) a.report('reserved-name', `'${step.id}' is a reserved name; choose another`, [...step.path, 'id']);
    if (step.id && a.draft.anchors.some((x) => x.name === step.id)) {
      a.report('duplicate-id', `step id '${step.id}' is also the name of an anchor; time references would be ambiguous`, [...step.path, 'id']);
    }
  }
  for (const date of a.draft.calendar) {
    const anchor = a.draft.anchors.find((x) => x.name === date.name);
    const step = a.draft.steps.find((s) => s.id === date.name);
    let clash: string | undefined;
    if (anchor) clash = `the anchor on line ${a.locator.position(anchor.path, { key: true }).line}`;
    else if (step) clash = `the step on line ${a.locator.position([...step.path, 'id']).line}`;
    if (clash) {
      a.report('calendar-clash', `calendar date '${date.name}' has the name of ${clash}; time references would be ambiguous`, date.path, { key: true });
    }
  }
}
