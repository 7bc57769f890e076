/** Canonical JSON (keys sorted at every level) and its sha256, for the compiled pathway's hash. */
import { createHash } from 'node:crypto';

/** A deep copy with object keys in sorted order and `undefined` fields dropped. */
export function canonicalize<T>(value: T): T {
  if (Array.isArray(value)) return value.map((v) => canonicalize(v)) as T;
  if (value && typeof value === 'object') {
    const out: Record<string, unknown> = {};
    for (const key of Object.keys(value).sort()) {
      const v = (value as Record<string, unknown>)[key];
      if (v !== undefined) out[key] = canonicalize(v);
    }
    return out as T;
  }
  return value;
}

/** sha256 (hex) of the canonical JSON text of a value. */
export function contentHash(value: unknown): string {
  return createHash('sha256')
    .update(JSON.stringify(canonicalize(value)))
    .digest('hex');
}
