import { errorBodySchema } from '../plugins/error-handler.ts';

/** Error answers every /v1 route may give, in the one error format. */
export const errorResponses = { '4xx': errorBodySchema, '5xx': errorBodySchema } as const;

/** The bearer key every /v1 route needs. */
export const bearer = [{ bearerAuth: [] }];

/** An id in a path: opaque text of bounded length. */
export const idSchema = { type: 'string', minLength: 1, maxLength: 128 } as const;

export const idParams = { type: 'object', required: ['id'], properties: { id: idSchema }, additionalProperties: false } as const;

export const isoDateTime = { type: 'string', format: 'date-time', maxLength: 40 } as const;

/** limit and offset of a list. */
export const pageQuery = {
  limit: { type: 'integer', minimum: 1, maximum: 500, default: 50 },
  offset: { type: 'integer', minimum: 0, maximum: 1_000_000, default: 0 },
} as const;

/** A value a task step may produce or an event may carry. */
export const dataValue = { type: ['string', 'number', 'boolean', 'null'], maxLength: 2000 } as const;

/** A fixed-offset time zone: the name and its offset from UTC in minutes (Asia/Shanghai, 480). */
export const timeZoneSchema = {
  type: 'object',
  required: ['name', 'offsetMinutes'],
  properties: { name: { type: 'string' }, offsetMinutes: { type: 'integer' } },
  description: 'the time zone its times are read and entered in',
} as const;
