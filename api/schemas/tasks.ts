import { dataValue } from './common.ts';

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
