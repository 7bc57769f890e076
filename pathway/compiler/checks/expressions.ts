/** Type-checks every CEL expression against the variables declared for its place. */
import { checkCondition, type CelType, type Scope } from '../../expressions/check.ts';
import { namesRead } from '../../planner/expressions.ts';
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
  return Object.fromEntries(Object.entries(monitorFieldSpecs(def)).map(([k, spec]) => [k, spec.type]));
}

export interface FieldSpec {
  type: 'int' | 'double' | 'bool';
  required: boolean;
  default?: number | boolean;
}

/**
 * A monitor's fields: `sbp: double` (a reading may leave it out), `{ type: double, required: true }`
 * or `{ type: bool, default: false }`. Without `fields`, one required `value: double`.
 */
export function monitorFieldSpecs(def: Record<string, unknown>): Record<string, FieldSpec> {
  const out: Record<string, FieldSpec> = {};
  for (const [k, v] of Object.entries(sub(def, 'fields'))) {
    const spec = isRaw(v) ? v : { type: v };
    const type = spec['type'];
    if (type !== 'int' && type !== 'double' && type !== 'bool') continue;
    out[k] = { type, required: spec['required'] === true };
    const value = spec['default'];
    if (typeof value === 'boolean' || typeof value === 'number') out[k]!.default = value;
  }
  return Object.keys(out).length ? out : { value: { type: 'double', required: true } };
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
        if (name in vars)
          a.report('reserved-name', `field '${name}' has the name of a pathway variable; rename one of them`, [...step.path, 'fields', name], { key: true });
      }
      scope = { variables: { ...vars, ...fields } };
      checkFieldSpecs(a, step.def, step.path, rules);
    }
    if (!scope) continue;
    rules.forEach((rule, i) => {
      if (isRaw(rule)) check(a, rule['if'], [...step.path, 'rules', i, 'if'], scope!);
    });
  }
}

/**
 * A default must match its field's type, and a field is either required or defaulted. A rule
 * that reads a field a reading may leave out must be covered: the monitor says what happens then
 * (`incomplete:`), so that such a rule is never silently false.
 */
function checkFieldSpecs(a: Analysis, def: Record<string, unknown>, path: Path, rules: unknown[]): void {
  const specs = monitorFieldSpecs(def);
  for (const [name, spec] of Object.entries(specs)) {
    const raw = sub(sub(def, 'fields'), name);
    if (spec.default === undefined && raw['default'] === undefined) continue;
    const ok =
      spec.default !== undefined &&
      (spec.type === 'bool'
        ? typeof spec.default === 'boolean'
        : typeof spec.default === 'number' && (spec.type === 'double' || Number.isInteger(spec.default)));
    if (!ok)
      a.report('schema-type', `the default of field '${name}' must be ${spec.type === 'bool' ? 'true or false' : `a number (${spec.type})`}`, [
        ...path,
        'fields',
        name,
        'default',
      ]);
    else if (spec.required) a.report('schema-invalid', `field '${name}' is required, so it cannot have a default`, [...path, 'fields', name, 'default']);
  }
  if (def['incomplete'] !== undefined) return;
  const optional = Object.entries(specs)
    .filter(([, s]) => !s.required && s.default === undefined)
    .map(([n]) => n);
  rules.forEach((rule, i) => {
    if (!isRaw(rule) || typeof rule['if'] !== 'string') return;
    const read = namesRead(rule['if'], optional);
    if (read.length) {
      a.report(
        'monitor-incomplete-unhandled',
        `this rule reads ${read.map((n) => `'${n}'`).join(', ')}, which a reading may leave out: say what happens then with 'incomplete: [steps]' on the monitor, or make the field required or give it a default`,
        [...path, 'rules', i, 'if'],
      );
    }
  });
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
