/** Type-checks every CEL expression against the variables declared for its place. */
import { checkCondition, type CelType, type Scope } from '../../expressions/check.ts';
import { isRaw, str, sub, type Analysis } from '../analysis.ts';
import type { Path } from '../source.ts';

/** The declared pathway variables with their CEL types. */
export function declaredVariables(a: Analysis): Record<string, CelType> {
  const out: Record<string, CelType> = {};
  for (const v of a.draft.variables) {
    const type = str(v.def, 'type');
    if (type === 'bool' || type === 'int' || type === 'double' || type === 'string') out[v.name] = type;
  }
  return out;
}

/** Variables a monitor's rules may read: its fields (default `value: double`). */
export function monitorFields(def: Record<string, unknown>): Record<string, 'int' | 'double' | 'bool'> {
  const fields = sub(def, 'fields');
  const out: Record<string, 'int' | 'double' | 'bool'> = {};
  for (const [k, v] of Object.entries(fields)) if (v === 'int' || v === 'double' || v === 'bool') out[k] = v;
  return Object.keys(out).length ? out : { value: 'double' };
}

export function checkExpressions(a: Analysis): void {
  const vars = declaredVariables(a);
  checkVariableDefaults(a);
  for (const step of a.draft.steps) {
    check(a, step.def['if'], [...step.path, 'if'], { variables: vars });
    const kind = str(step.def, 'kind');
    const rules = Array.isArray(step.def['rules']) ? step.def['rules'] : [];
    let scope: Scope | undefined;
    if (kind === 'questionnaire') {
      const q = a.env.content.questionnaires.get(str(step.def, 'questionnaire') ?? '');
      scope = { variables: { ...vars, score: 'int', band: 'string' }, items: q ? q.compiled.items : 'any' };
    } else if (kind === 'monitor') {
      const fields = monitorFields(step.def);
      for (const name of Object.keys(fields)) {
        if (name in vars) a.report('reserved-name', `field '${name}' has the name of a pathway variable; rename one of them`, [...step.path, 'fields', name], { key: true });
      }
      scope = { variables: { ...vars, ...fields } };
    }
    if (!scope) continue;
    rules.forEach((rule, i) => {
      if (isRaw(rule)) check(a, rule['if'], [...step.path, 'rules', i, 'if'], scope!);
    });
  }
}

function check(a: Analysis, source: unknown, path: Path, scope: Scope): void {
  if (typeof source !== 'string') return;
  const result = checkCondition(source, scope);
  if (!result.ok) a.report(result.rule, result.message, path, { offset: result.offset });
}

function checkVariableDefaults(a: Analysis): void {
  for (const v of a.draft.variables) {
    const type = str(v.def, 'type');
    const value = v.def['default'];
    if (value === undefined || type === undefined) continue;
    const ok =
      (type === 'bool' && typeof value === 'boolean') ||
      (type === 'int' && Number.isInteger(value)) ||
      (type === 'double' && typeof value === 'number') ||
      (type === 'string' && typeof value === 'string');
    if (!ok) a.report('schema-type', `variable '${v.name}': default ${JSON.stringify(value)} is not of type ${type}`, [...v.path, 'default']);
  }
}
