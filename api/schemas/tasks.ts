import { dataValue, timeZoneSchema } from './common.ts';

const nullableString = { type: ['string', 'null'] } as const;

export const taskSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    enrollmentId: { type: 'string' },
    patientRef: { type: 'string' },
    program: { type: 'string' },
    occurrenceKey: { type: 'string' },
    stepId: { type: 'string' },
    code: nullableString,
    kind: { type: 'string', description: 'task, approval, escalation, milestone, inquiry-response, deliver-message' },
    title: { type: 'string' },
    role: { type: 'string' },
    assignee: nullableString,
    status: { type: 'string', enum: ['open', 'done', 'cancelled'] },
    urgent: { type: 'boolean' },
    call: { type: 'boolean', description: 'the task is a phone call to make (a step or escalation on the phone channel)' },
    escalationLevel: { type: 'integer' },
    dueAt: nullableString,
    createdAt: { type: 'string' },
    completedAt: nullableString,
    completedBy: nullableString,
    result: { type: ['object', 'null'], additionalProperties: true },
  },
} as const;

const taskPatientSchema = {
  type: 'object',
  description:
    "the task's patient: her name (null when it cannot be decrypted) and where she is in the program (gestational-age 22+3, cycle-day CD12, days-since D+30, postpartum 产后D+7)",
  properties: {
    name: nullableString,
    age: {
      type: ['object', 'null'],
      properties: { style: { type: 'string', enum: ['gestational-age', 'cycle-day', 'days-since', 'postpartum'] }, label: { type: 'string' } },
    },
  },
} as const;

export const taskListItemSchema = { type: 'object', properties: { ...taskSchema.properties, patient: taskPatientSchema } } as const;

export const taskDetailSchema = {
  type: 'object',
  properties: {
    ...taskSchema.properties,
    timeZone: timeZoneSchema,
    patient: taskPatientSchema,
    inquiry: {
      type: 'object',
      description: "an inquiry's response task: the patient's question (for roles that read inquiries)",
      properties: { id: { type: 'string' }, question: { type: 'string' }, channel: nullableString, askedAt: { type: 'string' }, urgent: { type: 'boolean' } },
    },
    form: {
      type: 'array',
      description: 'the fields completing the task takes (data.<name>), in order',
      items: {
        type: 'object',
        properties: {
          name: { type: 'string' },
          type: { type: 'string', enum: ['datetime', 'date', 'bool', 'int', 'double', 'string', 'choice'] },
          required: { type: 'boolean' },
          options: { type: 'array', items: { type: 'string' } },
          maxLength: { type: 'integer' },
        },
      },
    },
  },
} as const;

export const completeTaskBody = {
  type: 'object',
  additionalProperties: false,
  properties: {
    data: {
      type: 'object',
      maxProperties: 50,
      additionalProperties: dataValue,
      description: 'the data the step produces (its `produces`; an approval: approved, note)',
    },
  },
} as const;

export const reassignTaskBody = {
  type: 'object',
  additionalProperties: false,
  required: ['assignee'],
  properties: {
    assignee: { type: 'string', minLength: 1, maxLength: 64 },
    role: { type: 'string', pattern: '^[a-z][a-z_]{0,31}$' },
  },
} as const;
