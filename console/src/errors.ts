// What staff read when the platform refuses or fails: a headline in the console's language by
// the error's code, then the API's own reason (which names the field or rule, in English).
import { ApiError } from './api.ts';
import type { Translate } from './i18n.tsx';

const HEADLINES: Record<string, 'errInvalid' | 'errForbidden' | 'errConflict' | 'errNotFound' | 'errBusy' | 'errUnavailable'> = {
  'invalid-input': 'errInvalid',
  'invalid-text': 'errInvalid',
  'invalid-payload': 'errInvalid',
  forbidden: 'errForbidden',
  conflict: 'errConflict',
  'identity-mismatch': 'errConflict',
  'pathway-refused': 'errConflict',
  'not-found': 'errNotFound',
  'rate-limited': 'errBusy',
  unavailable: 'errUnavailable',
  'temporal-unreachable': 'errUnavailable',
  'database-unreachable': 'errUnavailable',
};

/** `提交的内容不被接受：'appointment_at' must be …` — any thrown value, for an error alert. */
export function errorText(err: unknown, t: Translate): string {
  if (err instanceof ApiError) {
    const headline = HEADLINES[err.code] ?? (err.status >= 500 ? 'errUnavailable' : 'errOther');
    return t(headline, { m: err.message });
  }
  if (err instanceof TypeError) return t('errNetwork', { m: err.message });
  return t('errOther', { m: err instanceof Error ? err.message : String(err) });
}
