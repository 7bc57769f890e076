import { Ajv, type Options } from 'ajv';
import addFormatsModule from 'ajv-formats';
import type { FastifyInstance } from 'fastify';

// ajv-formats is CommonJS: its default export is the function.
const addFormats = addFormatsModule as unknown as (ajv: Ajv) => Ajv;

/**
 * Strict request validation for the routes registered after it: bodies are taken as sent (no
 * type coercion; unknown fields are errors, not silently dropped), while query strings, path
 * parameters and headers, which are text by nature, are coerced to the declared types.
 */
export function installStrictValidation(app: FastifyInstance): void {
  const base: Options = { allErrors: false, strict: false, useDefaults: true };
  const bodies = addFormats(new Ajv({ ...base, coerceTypes: false, removeAdditional: false }));
  const text = addFormats(new Ajv({ ...base, coerceTypes: 'array', removeAdditional: false }));
  app.setValidatorCompiler(({ schema, httpPart }) => (httpPart === 'body' ? bodies : text).compile(schema));
}
