import { patientSchema } from './enrollments.ts';

const field = patientSchema.properties;
const clearable = <T extends object>(schema: T) => ({ anyOf: [schema, { type: 'null' }] });

/** A change of identity: each field given replaces the record's; `null` clears an optional one. */
export const identityChangeBody = {
  type: 'object',
  additionalProperties: false,
  minProperties: 1,
  properties: {
    name: field.name,
    phone: clearable(field.phone),
    idType: clearable(field.idType),
    idNumber: clearable(field.idNumber),
    birthDate: clearable(field.birthDate),
    gender: clearable(field.gender),
    wechatOpenId: clearable(field.wechatOpenId),
    appUserId: clearable(field.appUserId),
  },
} as const;

export const identityChangedSchema = {
  type: 'object',
  required: ['patientRef', 'changed'],
  properties: {
    patientRef: { type: 'string' },
    changed: { type: 'array', items: { type: 'string' }, description: 'names of the fields whose value changed (empty when none did)' },
  },
} as const;
