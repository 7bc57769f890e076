/** Which steps are triggered (by events, questionnaire scores, readings), and that targets exist. */
import { isRaw, strList, type Analysis } from '../analysis.ts';
import type { Path } from '../source.ts';
import { didYouMean } from '../suggest.ts';

/** Fills `a.triggered` and reports trigger targets that are not steps. */
export function collectTriggers(a: Analysis): void {
  const ids = a.stepIds;
  const target = (id: string, path: Path) => {
    if (ids.has(id)) a.triggered.add(id);
    else a.report('unknown-step-ref', `unknown step '${id}'${didYouMean(id, ids)}`, path);
  };
  for (const ev of a.draft.events) {
    for (const t of strList(ev.def, 'triggers')) target(t.value, [...ev.path, 'triggers', t.index]);
  }
  for (const step of a.draft.steps) {
    const booking = step.def['booking'];
    if (isRaw(booking)) for (const t of strList(booking, 'outside')) target(t.value, [...step.path, 'booking', 'outside', t.index]);
    for (const t of strList(step.def, 'incomplete')) {
      if (t.value === step.id) a.report('dependency-cycle', `step '${step.id}' triggers itself`, [...step.path, 'incomplete', t.index]);
      else target(t.value, [...step.path, 'incomplete', t.index]);
    }
    const rules = step.def['rules'];
    if (!Array.isArray(rules)) continue;
    rules.forEach((rule, i) => {
      if (!isRaw(rule)) return;
      for (const t of strList(rule, 'triggers')) {
        if (t.value === step.id) a.report('dependency-cycle', `step '${step.id}' triggers itself`, [...step.path, 'rules', i, 'triggers', t.index]);
        else target(t.value, [...step.path, 'rules', i, 'triggers', t.index]);
      }
    });
  }
}
