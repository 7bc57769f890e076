import { isoDateTime } from './common.ts';

const nullableString = { type: ['string', 'null'] } as const;

export const patientSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['name'],
  anyOf: [{ required: ['idNumber'] }, { required: ['phone'] }],
  description: 'Identity: stored encrypted; needs an identity document number or a phone number to recognise the patient later',
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 100 },
    phone: { type: 'string', pattern: '^\\+?[0-9][0-9 -]{4,19}$' },
    idType: { type: 'string', enum: ['resident-id', 'passport', 'hk-macao-permit', 'taiwan-permit', 'foreigner-permit', 'other'] },
    idNumber: { type: 'string', pattern: '^[0-9A-Za-z -]{4,40}$' },
    birthDate: { type: 'string', format: 'date' },
    gender: { type: 'string', enum: ['female', 'male', 'other'] },
    wechatOpenId: { type: 'string', pattern: '^[A-Za-z0-9_-]{16,64}$', description: "openid under the hospital's WeChat Official Account (channel wechat)" },
    appUserId: { type: 'string', pattern: '^[A-Za-z0-9._:-]{1,64}$', description: "user id in the hospital's app (channel app)" },
  },
} as const;

export const consentSchema = {
  type: 'object',
  additionalProperties: false,
  required: ['scope', 'givenAt', 'recordedBy'],
  description: "The patient's explicit consent, recorded before the enrolment",
  properties: {
    scope: {
      type: 'array',
      minItems: 1,
      maxItems: 20,
      uniqueItems: true,
      items: { type: 'string', minLength: 1, maxLength: 64 },
      description:
        'what was consented to, e.g. care-management, data-processing; and per channel sms-contact, wechat-contact, app-contact (a channel without its consent is never used)',
    },
    givenAt: isoDateTime,
    recordedBy: { type: 'string', minLength: 1, maxLength: 100, description: 'staff member who recorded it' },
    method: { type: 'string', enum: ['written', 'electronic', 'verbal-recorded'] },
    documentRef: { type: 'string', maxLength: 200 },
  },
} as const;

export const createEnrollmentBody = {
  type: 'object',
  additionalProperties: false,
  required: ['patient', 'consent', 'program', 'anchors', 'butlerId'],
  properties: {
    patient: patientSchema,
    consent: consentSchema,
    program: { type: 'string', minLength: 1, maxLength: 100, description: 'pathway id, e.g. obstetrics.full-pregnancy' },
    anchors: {
      type: 'object',
      maxProperties: 20,
      additionalProperties: { type: 'string', minLength: 1, maxLength: 40 },
      description: 'anchor name → YYYY-MM-DD or ISO date-time',
    },
    variables: { type: 'object', maxProperties: 50, additionalProperties: { type: ['boolean', 'number', 'string'], maxLength: 200 } },
    butlerId: { type: 'string', minLength: 1, maxLength: 64, description: 'the butler assigned to the patient' },
  },
} as const;

export const createdEnrollmentSchema = {
  type: 'object',
  required: ['id', 'status'],
  properties: {
    id: { type: 'string' },
    patientRef: { type: 'string', description: 'the pseudonym; absent for an integrator (it would link a phone number to a known patient)' },
    workflowId: { type: 'string', description: 'absent for an integrator (it contains the pseudonym)' },
    program: { type: 'string' },
    pathwayVersion: { type: 'string' },
    status: { type: 'string' },
    newPatient: { type: 'boolean', description: 'absent for an integrator' },
  },
} as const;

export const enrollmentSummarySchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    patientRef: { type: 'string', description: 'absent for an integrator' },
    program: { type: 'string', description: 'pathway id' },
    programFamily: { type: 'string' },
    pathwayVersion: { type: 'string' },
    butlerId: nullableString,
    status: { type: 'string' },
    createdAt: { type: 'string' },
    endedAt: nullableString,
  },
} as const;

export const enrollmentViewSchema = {
  type: 'object',
  properties: {
    ...enrollmentSummarySchema.properties,
    patient: {
      type: 'object',
      description: 'decrypted identity: only for roles coordinator, butler (own patients), doctor, admin',
      properties: {
        name: { type: 'string' },
        phone: { type: 'string' },
        idType: { type: 'string' },
        idNumber: { type: 'string' },
        birthDate: { type: 'string' },
        gender: { type: 'string' },
        wechatOpenId: { type: 'string' },
        appUserId: { type: 'string' },
      },
    },
    consents: {
      type: 'array',
      items: {
        type: 'object',
        properties: {
          scope: { type: 'array', items: { type: 'string' } },
          givenAt: { type: 'string' },
          recordedBy: { type: 'string' },
          method: nullableString,
        },
      },
    },
    journey: { type: ['object', 'null'], additionalProperties: true, description: "the journey workflow's own view (journeyView query)" },
    journeyUnavailable: { type: 'string' },
  },
} as const;

export const eventBody = {
  type: 'object',
  additionalProperties: false,
  required: ['name'],
  properties: {
    name: { type: 'string', minLength: 1, maxLength: 64 },
    at: isoDateTime,
    id: { type: 'string', minLength: 1, maxLength: 128, description: 'your id for the event: a resent request is recognised' },
  },
} as const;

export const entitlementUseBody = {
  type: 'object',
  additionalProperties: false,
  required: ['ref'],
  properties: {
    ref: {
      type: 'string',
      minLength: 1,
      maxLength: 128,
      pattern: '^[A-Za-z0-9._:-]+$',
      description: 'your id for this use (the consultation or visit): a resent request counts once',
    },
  },
} as const;

export const entitlementUseSchema = {
  type: 'object',
  properties: {
    entitlement: { type: 'string' },
    ref: { type: 'string' },
    at: { type: 'string', description: 'when the use was recorded (the first time, for a duplicate)' },
    duplicate: { type: 'boolean', description: 'true when this ref was recorded before and nothing was counted again' },
    remaining: { type: 'integer', description: 'left in the tightest period (0 once a counter is past its basis)' },
    used: { type: 'integer', description: 'used in that period' },
    enforced: { type: 'boolean', description: 'false for a counter (billing basis): uses beyond it are allowed' },
  },
} as const;

export const anchorBody = {
  type: 'object',
  additionalProperties: false,
  required: ['value'],
  properties: { value: { type: 'string', minLength: 1, maxLength: 40 } },
} as const;

export const readingBody = {
  type: 'object',
  additionalProperties: false,
  required: ['id', 'metric', 'at', 'values'],
  properties: {
    id: { type: 'string', minLength: 1, maxLength: 128 },
    metric: { type: 'string', minLength: 1, maxLength: 64 },
    at: isoDateTime,
    values: { type: 'object', minProperties: 1, maxProperties: 20, additionalProperties: { type: ['number', 'boolean'] } },
  },
} as const;

export const answersBody = {
  type: 'object',
  additionalProperties: false,
  required: ['items'],
  properties: {
    items: { type: 'object', minProperties: 1, maxProperties: 200, additionalProperties: { type: 'number' }, description: "item id → chosen option's score" },
  },
} as const;
