import { Ajv, type Options } from 'ajv';
import addFormatsModule from 'ajv-formats';
import { isUtf8 } from 'node:buffer';
import type { FastifyInstance, FastifyRequest } from 'fastify';
import { CarepathError } from '../../errors/carepath-error.ts';
import { parseTime, TIME_LIMITS } from '../../pathway/planner/time.ts';

// ajv-formats is CommonJS: its default export is the function.
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

/**
 * Strict request validation for the routes registered after it: bodies are taken as sent (no
 * type coercion; unknown fields are errors, not silently dropped), while query strings, path
 * parameters and headers, which are text by nature, are coerced to the declared types.
 */
export function installStrictValidation(app: FastifyInstance): void {
  const base: Options = { allErrors: false, strict: false, useDefaults: true };
  const bodies = withTimeFormats(addFormats(new Ajv({ ...base, coerceTypes: false, removeAdditional: false })));
  const text = withTimeFormats(addFormats(new Ajv({ ...base, coerceTypes: 'array', removeAdditional: false })));
  app.setValidatorCompiler(({ schema, httpPart }) => (httpPart === 'body' ? bodies : text).compile(schema));
}

/**
 * `date` and `date-time` as RFC 3339 says (ajv-formats) and as the platform can handle them
 * (`parseTime`: years 1900–2999, offsets within ±15:59): one rule for the API and the planner.
 */
function withTimeFormats(ajv: Ajv): Ajv {
  for (const name of ['date', 'date-time'] as const) {
    const rfc = ajv.formats[name];
    const check = typeof rfc === 'function' ? rfc : rfc && typeof rfc === 'object' && 'validate' in rfc ? rfc.validate : null;
    ajv.addFormat(name, {
      type: 'string',
      validate: (value: string) => (typeof check === 'function' ? (check as (v: string) => boolean)(value) : true) && parseTime(value, 0) !== null,
    });
  }
  return ajv;
}

// A NUL character, or a UTF-16 surrogate without its pair: neither can be stored as text or JSON.
// eslint-disable-next-line no-control-regex -- the NUL character is what it looks for
const UNSTORABLE = /\u0000|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/;

// What the answer may not echo: control characters, lone surrogates.
// eslint-disable-next-line no-control-regex -- control characters are what it looks for
const UNPRINTABLE = /[\u0000-\u001f\u007f]|[\ud800-\udbff](?![\udc00-\udfff])|(?<![\ud800-\udbff])[\udc00-\udfff]/g;

/** A key as an error message may quote it: unprintable characters as \uXXXX, at most 60 characters. */
function printable(key: string): string {
  const shown = key.replace(UNPRINTABLE, (c) => `\\u${c.charCodeAt(0).toString(16).padStart(4, '0')}`);
  return shown.length > 60 ? `${shown.slice(0, 60)}…` : shown;
}

/** The path of the first string (key or value) in `value` that cannot be stored, or null. */
function unstorableAt(value: unknown, path: string, depth = 0): string | null {
  if (typeof value === 'string') return UNSTORABLE.test(value) ? path : null;
  if (value === null || typeof value !== 'object' || depth > 64) return null;
  for (const [key, item] of Object.entries(value)) {
    const at = Array.isArray(value) ? `${path}[${key}]` : `${path}.${printable(key)}`;
    if (UNSTORABLE.test(key)) return at;
    const found = unstorableAt(item, at, depth + 1);
    if (found) return found;
  }
  return null;
}

/**
 * The rules above as JSON Schema patterns, for the OpenAPI document: text without NUL; dates in
 * 1900–2999 (TIME_LIMITS); offsets within ±15:59. Lone surrogates are left to the prose of
 * docs/api.md: regex engines built on Rust's `regex` (Schemathesis's validator) refuse a class
 * that names surrogate code points, and drop the whole pattern.
 */
export const DOCUMENTED_PATTERNS = {
  text: '^[^\\u0000]*$',
  date: `^(?:19\\d\\d|2\\d{3})-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\\d|3[01])$`,
  // The form to send, in full (a pattern that only checked the year would leave generators filtering most RFC 3339 values away).
  dateTime: `^(?:19\\d\\d|2\\d{3})-(?:0[1-9]|1[0-2])-(?:0[1-9]|[12]\\d|3[01])T(?:[01]\\d|2[0-3]):[0-5]\\d:[0-5]\\d(?:\\.\\d{1,9})?(?:Z|[+-](?:0\\d|1[0-5]):[0-5]\\d)$`,
} as const;

/** What a refused `date`/`date-time` must be, for the error message. */
export function timeFormatHint(validation: { keyword?: string; params?: Record<string, unknown> }[]): string {
  const time = validation.some((v) => v.keyword === 'format' && (v.params?.format === 'date' || v.params?.format === 'date-time'));
  return time ? ` (RFC 3339, years ${TIME_LIMITS.minYear}–${TIME_LIMITS.maxYear}, UTC offsets within ±15:59)` : '';
}

/**
 * Refuses, before any route runs, a request whose body, query or path holds text PostgreSQL
 * cannot store (a NUL character, an unpaired surrogate): 400 naming where, nothing written.
 */
export function installTextGuard(app: FastifyInstance): void {
  app.addHook('preValidation', async (request: FastifyRequest) => {
    const at = unstorableAt(request.body, 'body') ?? unstorableAt(request.query, 'query') ?? unstorableAt(request.params, 'path');
    if (at) throw new CarepathError('invalid-text', `${at} holds a NUL character or an unpaired UTF-16 surrogate, which cannot be stored`);
  });
}

/**
 * The bodies the API reads: JSON only (a `text/plain` body answers 415, as docs/api.md says), and
 * JSON that is valid UTF-8 — bytes that are not would otherwise turn silently into U+FFFD.
 * Parsing itself stays Fastify's (prototype-poisoning protection included).
 */
export function installBodyParsers(app: FastifyInstance): void {
  const parseJson = app.getDefaultJsonParser('error', 'error');
  app.removeAllContentTypeParsers();
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body: Buffer, done) => {
    if (!isUtf8(body)) return done(new CarepathError('invalid-text', 'the body is not valid UTF-8: send JSON encoded as UTF-8'), undefined);
    void parseJson(request, body.toString('utf8'), done);
  });
}
