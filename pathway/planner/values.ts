/**
 * The one check of a value against a type the pathway language declares (anchors, variables,
 * step data, reading fields), used alike at enrolment (API) and by the journey's update
 * validators (workflow). Pure.
 */
import type { FieldType, VariableType } from '../model/compiled.ts';
import { parseTime, TIME_LIMITS } from './time.ts';

export type ValueType = FieldType | VariableType;

/** Whether `value` is of `type`; dates and date-times must be real calendar moments. */
export function fitsType(type: ValueType, value: unknown, offsetMinutes: number): boolean {
  switch (type) {
    case 'bool':
      return typeof value === 'boolean';
    case 'int':
      // Beyond 2^53 a JSON number no longer holds the integer that was written.
      return Number.isSafeInteger(value);
    case 'double':
      return typeof value === 'number' && Number.isFinite(value);
    case 'string':
      return typeof value === 'string';
    case 'date':
      return typeof value === 'string' && /^\d{4}-\d{2}-\d{2}$/.test(value) && parseTime(value, offsetMinutes) !== null;
    case 'datetime':
      return typeof value === 'string' && /^\d{4}-\d{2}-\d{2}T\d{2}:\d{2}/.test(value) && parseTime(value, offsetMinutes) !== null;
    default:
      return false;
  }
}

/** What a value of `type` looks like, for messages: `YYYY-MM-DD`, `an ISO 8601 date-time`, `a bool` … */
export function expectedShape(type: ValueType): string {
  const years = `years ${TIME_LIMITS.minYear}–${TIME_LIMITS.maxYear}`;
  return type === 'date' ? `YYYY-MM-DD (${years})` : type === 'datetime' ? `an ISO 8601 date-time (${years}, UTC offsets within ±15:59)` : `a ${type}`;
}
