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

/** The candidate nearest to `word` by edit distance, if it is plausibly a typo. */
export function closest(word: string, candidates: readonly string[]): string | undefined {
  let best: string | undefined;
  let bestDistance = Infinity;
  for (const candidate of candidates) {
    const d = editDistance(word.toLowerCase(), candidate.toLowerCase());
    if (d < bestDistance) {
      best = candidate;
      bestDistance = d;
    }
  }
  return bestDistance <= Math.max(2, Math.floor(word.length / 3)) ? best : undefined;
}

function editDistance(a: string, b: string): number {
  const row = Array.from({ length: b.length + 1 }, (_, i) => i);
  for (let i = 1; i <= a.length; i++) {
    let diagonal = row[0]!;
    row[0] = i;
    for (let j = 1; j <= b.length; j++) {
      const above = row[j]!;
      row[j] = Math.min(row[j]! + 1, row[j - 1]! + 1, diagonal + (a[i - 1] === b[j - 1] ? 0 : 1));
      diagonal = above;
    }
  }
  return row[b.length]!;
}
