import { closest } from '../pathway/compiler/suggest.ts';
import type { ErrorObject } from 'ajv';

/** One human sentence for an ajv error (used for config and API input alike). */
export function describeAjvError(error: ErrorObject, fieldName: string): string {
  const p = error.params as Record<string, unknown>;
  switch (error.keyword) {
    case 'additionalProperties': {
      const unknown = String(p.additionalProperty);
      const known = Object.keys((error.parentSchema as { properties?: object } | undefined)?.properties ?? {});
      const guess = closest(unknown, known);
      return `unknown field '${unknown}'${guess ? ` (did you mean '${guess}'?)` : known.length ? ` (allowed: ${known.join(', ')})` : ''}`;
    }
    case 'required':
      return `missing required field '${String(p.missingProperty)}'${fieldName ? ` in '${fieldName}'` : ''}`;
    case 'type':
      return `'${fieldName}' must be ${String(p.type).replace(',', ' or ')}`;
    case 'enum':
      return `'${fieldName}' must be one of ${(p.allowedValues as unknown[]).map((v) => JSON.stringify(v)).join(', ')}`;
    case 'pattern':
      return `'${fieldName}' has the wrong form (expected to match ${String(p.pattern)})`;
    case 'minimum':
    case 'maximum':
    case 'exclusiveMinimum':
    case 'exclusiveMaximum':
    case 'minLength':
    case 'maxLength':
    case 'minItems':
    case 'maxItems':
      return `'${fieldName}' ${error.message ?? 'is out of range'}`;
    case 'propertyNames':
      return `field name '${String(p.propertyName)}' is not allowed`;
    default:
      return `'${fieldName}' ${error.message ?? 'is invalid'}`;
  }
}
