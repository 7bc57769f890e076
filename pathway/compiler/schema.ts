/**
 * Structural validation against schemas/pathway.schema.json (JSON Schema 2020-12, ajv), with
 * each ajv error mapped to one positioned diagnostic and a stable rule id.
 */
import { readFileSync } from 'node:fs';
import { Ajv2020, type ErrorObject, type ValidateFunction } from 'ajv/dist/2020.js';
import addFormatsModule from 'ajv-formats';
import type { Diagnostic } from './diagnostics.ts';
import type { Locator, Path } from './source.ts';
import { closest } from './suggest.ts';
import { describePath } from './describe.ts';
import { STEP_KINDS } from '../model/step-kinds.ts';

export const SCHEMA_URL = new URL('../../schemas/pathway.schema.json', import.meta.url);

// ajv-formats is CommonJS: its default export is the function.
const addFormats = addFormatsModule as unknown as (ajv: Ajv2020, formats: string[]) => Ajv2020;

let validator: ValidateFunction | undefined;
let schemaDoc: { $defs: Record<string, SchemaNode> } | undefined;

interface SchemaNode {
  properties?: Record<string, unknown>;
  allOf?: { $ref?: string }[];
  $ref?: string;
}

function compiled(): ValidateFunction {
  if (!validator) {
    schemaDoc = JSON.parse(readFileSync(SCHEMA_URL, 'utf8'));
    const ajv = new Ajv2020({ allErrors: true, discriminator: true, strict: true, allowUnionTypes: true, verbose: true });
    addFormats(ajv, ['date']);
    validator = ajv.compile(schemaDoc!);
  }
  return validator;
}

const PATTERN_HINTS: Record<string, string> = {
  id: "a name of lower-case letters, digits and '_' that starts with a letter (e.g. book_nt)",
  pathwayId: 'an id like obstetrics.full-pregnancy',
  contentId: 'a content id like visit_notice or epds',
  code: 'a kebab-case code like nt-scan',
  duration: 'a duration like 3d, 36h, 30min or 13w6d',
  clockTime: 'a time of day like 09:00',
  locale: 'a locale like zh-CN',
  version: 'a version like 1, 1.2 or 1.2.3',
};

const FORMAT_HINTS: Record<string, string> = {
  date: 'a calendar date that exists, written YYYY-MM-DD (e.g. 2027-02-06)',
};

interface Finding {
  path: Path;
  key?: boolean;
  rule: string;
  message: string;
  missing?: string;
  unknownSuggestion?: string;
  /** A type error's expected types and its prefix, so that one value's type errors read as one. */
  types?: { expected: string[]; actual: string; prefix: string };
}

/** Validates the document's structure; returns positioned diagnostics. */
export function checkSchema(value: unknown, locator: Locator): Diagnostic[] {
  const validate = compiled();
  if (validate(value)) return [];
  const findings: Finding[] = [];
  const typeErrors = new Map<string, Finding>();
  for (const e of pruneOneOf(validate.errors ?? [])) {
    const f = toFinding(e, value);
    if (!f) continue;
    const earlier = f.types && typeErrors.get(JSON.stringify(f.path));
    if (earlier?.types && f.types) {
      // The forms of a `oneOf` each name their type: one error names them all.
      earlier.types.expected.push(...f.types.expected);
      earlier.message = `${earlier.types.prefix}must be ${earlier.types.expected.join(' or ')}, not ${earlier.types.actual}`;
      continue;
    }
    if (f.types) typeErrors.set(JSON.stringify(f.path), f);
    findings.push(f);
  }
  // A misspelt field name is one mistake: drop the "missing" error its suggestion explains.
  const explained = new Set(findings.filter((f) => f.unknownSuggestion).map((f) => `${JSON.stringify(f.path.slice(0, -1))}|${f.unknownSuggestion}`));
  const kept = findings.filter((f) => !(f.missing && explained.has(`${JSON.stringify(f.path)}|${f.missing}`)));
  return kept.map((f) => {
    const { line, col } = locator.position(f.path, f.key ? { key: true } : {});
    return { file: locator.file, line, col, rule: f.rule, message: f.message };
  });
}

/**
 * A value that fits none of a `oneOf`'s forms (a list of channels, or a preference order) is
 * reported in the form its type chose: the "must match exactly one schema" error and the other
 * forms' type errors go when errors of the chosen form explain the mistake.
 */
function pruneOneOf(errors: readonly ErrorObject[]): ErrorObject[] {
  const oneOfPaths = new Set(errors.filter((e) => e.keyword === 'oneOf').map((e) => e.instancePath));
  if (oneOfPaths.size === 0) return [...errors];
  const explained = (path: string) =>
    errors.some((e) => e.keyword !== 'oneOf' && e.keyword !== 'type' && (e.instancePath === path || e.instancePath.startsWith(`${path}/`)));
  const typed = (path: string) => errors.some((e) => e.keyword === 'type' && e.instancePath === path);
  return errors.filter((e) => {
    if (!oneOfPaths.has(e.instancePath)) return true;
    if (explained(e.instancePath)) return e.keyword !== 'oneOf' && e.keyword !== 'type';
    // Of no form's type: each form's type error says what it may be.
    return e.keyword !== 'oneOf' || !typed(e.instancePath);
  });
}

function toFinding(e: ErrorObject, root: unknown): Finding | undefined {
  const path = pointerToPath(e.instancePath, root);
  const where = describePath(path, root);
  const prefix = where ? `${where}: ` : '';
  const params = e.params as Record<string, unknown>;
  switch (e.keyword) {
    case 'required': {
      const missing = String(params['missingProperty']);
      return { path, rule: 'schema-required', message: `${prefix}missing required field '${missing}'`, missing };
    }
    case 'additionalProperties':
    case 'unevaluatedProperties': {
      const field = String(params['additionalProperty'] ?? params['unevaluatedProperty']);
      const allowed = allowedFields(e.parentSchema as SchemaNode);
      const suggestion = closest(field, allowed);
      const hint = suggestion ? ` (did you mean '${suggestion}'?)` : allowed.length ? `; allowed: ${allowed.join(', ')}` : '';
      const f: Finding = { path: [...path, field], key: true, rule: 'schema-unknown-field', message: `${prefix}unknown field '${field}'${hint}` };
      if (suggestion) f.unknownSuggestion = suggestion;
      return f;
    }
    case 'type': {
      const expected = [params['type']].flat().map(String).map(typeName);
      const actual = typeName(jsonType(e.data));
      return { path, rule: 'schema-type', message: `${prefix}must be ${expected.join(' or ')}, not ${actual}`, types: { expected, actual, prefix } };
    }
    case 'enum': {
      const allowed = (params['allowedValues'] as unknown[]).map(String);
      const hint = typeof e.data === 'string' ? suggestionOrList(e.data, allowed) : `; use one of: ${allowed.join(', ')}`;
      return { path, rule: 'schema-enum', message: `${prefix}'${String(e.data)}' is not allowed${hint}` };
    }
    case 'discriminator': {
      if (params['error'] !== 'mapping') return undefined;
      const kinds = [...STEP_KINDS];
      const value = String(params['tagValue']);
      return { path: [...path, 'kind'], rule: 'schema-enum', message: `${prefix}unknown step kind '${value}'${suggestionOrList(value, kinds)}` };
    }
    case 'pattern': {
      const hint = PATTERN_HINTS[patternDef(e.schemaPath)] ?? `text matching ${String(params['pattern'])}`;
      if (e.propertyName !== undefined) {
        return { path: [...path, e.propertyName], key: true, rule: 'schema-pattern', message: `'${e.propertyName}' is not a valid name: use ${hint}` };
      }
      return { path, rule: 'schema-pattern', message: `${prefix}'${String(e.data)}' is not valid: use ${hint}` };
    }
    case 'format': {
      const hint = FORMAT_HINTS[String(params['format'])] ?? `a ${String(params['format'])}`;
      return { path, rule: 'schema-pattern', message: `${prefix}'${String(e.data)}' is not valid: use ${hint}` };
    }
    case 'propertyNames':
      return undefined;
    case 'minimum':
    case 'maximum':
    case 'minItems':
    case 'maxItems':
    case 'minLength':
    case 'minProperties':
      return { path, rule: 'schema-range', message: `${prefix}${e.message ?? 'out of range'}` };
    default:
      return { path, rule: 'schema-invalid', message: `${prefix}${e.message ?? 'invalid'}` };
  }
}

function suggestionOrList(value: string, allowed: string[]): string {
  const c = closest(value, allowed);
  return c ? ` (did you mean '${c}'?)` : `; use one of: ${allowed.join(', ')}`;
}

/** Field names a schema node allows, following `allOf` references into `$defs`. */
function allowedFields(node: SchemaNode | undefined): string[] {
  const out = new Set<string>();
  const visit = (n: SchemaNode | undefined, depth: number) => {
    if (!n || depth > 5) return;
    for (const k of Object.keys(n.properties ?? {})) out.add(k);
    for (const part of n.allOf ?? []) visit(resolveRef(part.$ref), depth + 1);
    if (n.$ref) visit(resolveRef(n.$ref), depth + 1);
  };
  visit(node, 0);
  return [...out].sort();
}

function resolveRef(ref: string | undefined): SchemaNode | undefined {
  const name = ref?.startsWith('#/$defs/') ? ref.slice('#/$defs/'.length) : undefined;
  return name ? schemaDoc?.$defs[name] : undefined;
}

function patternDef(schemaPath: string): string {
  const def = /#\/\$defs\/([^/]+)\//.exec(schemaPath)?.[1];
  if (def) return def;
  return /properties\/([^/]+)\/pattern$/.exec(schemaPath)?.[1] ?? '';
}

/** Turns `/steps/0/kind` into `['steps', 0, 'kind']`, using the data to tell indexes from keys. */
function pointerToPath(pointer: string, root: unknown): Path {
  if (!pointer) return [];
  const out: (string | number)[] = [];
  let cur: unknown = root;
  for (const raw of pointer.slice(1).split('/')) {
    const seg = raw.replace(/~1/g, '/').replace(/~0/g, '~');
    if (Array.isArray(cur) && /^\d+$/.test(seg)) {
      out.push(Number(seg));
      cur = cur[Number(seg)];
    } else {
      out.push(seg);
      cur = cur && typeof cur === 'object' ? (cur as Record<string, unknown>)[seg] : undefined;
    }
  }
  return out;
}

function jsonType(v: unknown): string {
  if (v === null) return 'null';
  if (Array.isArray(v)) return 'array';
  if (typeof v === 'number') return Number.isInteger(v) ? 'integer' : 'number';
  return typeof v;
}

function typeName(t: string): string {
  const names: Record<string, string> = {
    object: 'a mapping',
    array: 'a list',
    string: 'text',
    integer: 'a whole number',
    number: 'a number',
    boolean: 'true or false',
    null: 'empty',
  };
  return names[t] ?? t;
}
