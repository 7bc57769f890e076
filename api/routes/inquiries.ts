import type { FastifyPluginAsync } from 'fastify';
import { CarepathError } from '../../errors/carepath-error.ts';
import { findInquiry, type Inquiry } from '../../db/repositories/inquiries.ts';
import { findWorklistTask } from '../../db/repositories/worklist.ts';
import { listInquiryMessages } from '../../db/repositories/inbound-messages.ts';
import { listOutboxMessagesByKeys } from '../../db/repositories/outbox.ts';
import { inquiryReplyKey, messageKey } from '../../pathway/model/keys.ts';
import { REPLY_CHANNELS } from '../../enrollment/inquiries/inquiry-reply.ts';
import { openInquiry } from '../../enrollment/inquiries/open-inquiry.ts';
import { audit } from '../audit/audit.ts';
import { actorId, principalOf } from '../auth/index.ts';
import { bearer, errorResponses, idParams, idSchema, isoDateTime } from '../schemas/common.ts';
import { taskSchema } from '../schemas/tasks.ts';
import { enrollmentFor, type RouteContext } from './context.ts';
import { taskView } from './tasks.ts';

/** How far in the future an `askedAt` may lie (clock skew between systems). */
const CLOCK_SKEW_MS = 60_000;

const inquirySchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    enrollmentId: { type: 'string' },
    taskId: { type: 'string' },
    urgent: { type: 'boolean' },
    channel: { type: ['string', 'null'] },
    askedAt: { type: 'string' },
    dueAt: { type: 'string', description: 'answer due: +30 min 08:00–22:00 Asia/Shanghai, 08:30 when asked at night, within 5 minutes when urgent (立即响应)' },
    escalateAt: { type: 'string', description: "when the response task goes to the butlers' lead if still unanswered" },
    answeredAt: { type: ['string', 'null'] },
    answeredBy: { type: ['string', 'null'] },
  },
} as const;

/** Patient inquiries: each becomes a response task with its service-level target. */
export const inquiryRoutes: FastifyPluginAsync<RouteContext> = async (app, { deps, authorize }) => {
  app.post<{ Body: { enrollmentId: string; question: string; urgent?: boolean; askedAt?: string; channel?: string } }>(
    '/inquiries',
    {
      onRequest: authorize('createInquiry'),
      schema: {
        summary: "A patient's question: becomes a response task for their butler, escalated when its response target is missed",
        tags: ['inquiries'],
        security: bearer,
        body: {
          type: 'object',
          additionalProperties: false,
          required: ['enrollmentId', 'question'],
          properties: {
            enrollmentId: idSchema,
            question: { type: 'string', minLength: 1, maxLength: 4000 },
            urgent: { type: 'boolean', default: false },
            askedAt: { ...isoDateTime, description: 'when the patient asked (default: now)' },
            channel: { type: 'string', enum: ['wechat', 'sms', 'app', 'phone'] },
          },
        },
        response: { 201: inquirySchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const enrollment = await enrollmentFor(deps, request, request.body.enrollmentId);
      if (enrollment.status !== 'active') throw new CarepathError('conflict', `enrolment ${enrollment.id} is ${enrollment.status}: its service has ended`);
      const askedAt = request.body.askedAt ? new Date(request.body.askedAt) : new Date();
      if (askedAt.getTime() > Date.now() + CLOCK_SKEW_MS) throw new CarepathError('invalid-input', `askedAt ${request.body.askedAt} is in the future`);
      const inquiry = await openInquiry(
        { db: deps.db, client: deps.temporal.client, taskQueue: deps.temporal.taskQueue },
        {
          enrollment,
          question: request.body.question,
          urgent: request.body.urgent ?? false,
          channel: request.body.channel ?? null,
          askedAt,
          createdBy: actorId(principalOf(request)),
        },
        (trx, stored) =>
          audit(
            trx,
            request,
            'inquiry.create',
            { type: 'inquiry', id: stored.id },
            { enrollmentId: enrollment.id, urgent: stored.urgent, taskId: stored.task_id },
          ),
      );
      return reply.status(201).send(inquiryView(inquiry));
    },
  );

  app.get<{ Params: { id: string } }>(
    '/inquiries/:id',
    {
      onRequest: authorize('readInquiry'),
      schema: {
        summary: 'One inquiry with its question and response task',
        tags: ['inquiries'],
        security: bearer,
        params: idParams,
        response: {
          200: {
            type: 'object',
            properties: {
              ...inquirySchema.properties,
              question: { type: 'string' },
              task: taskSchema,
              reply: { type: ['string', 'null'], description: "the butler's answer (completing the response task with data.reply)" },
              replyVia: { type: ['string', 'null'], enum: ['message', 'phone', 'in-person', null] },
              messages: {
                type: 'array',
                description: 'what the patient sent through a channel about this inquiry (WeChat, an SMS reply): the first opened it, later ones joined it',
                items: {
                  type: 'object',
                  properties: { channel: { type: 'string' }, text: { type: ['string', 'null'] }, receivedAt: { type: 'string' }, opened: { type: 'boolean' } },
                },
              },
              replyMessages: {
                type: 'array',
                description: 'the reply sent to the patient, one entry per channel tried (WeChat, then the app; a call task when neither can carry it)',
                items: {
                  type: 'object',
                  properties: {
                    channel: { type: 'string' },
                    status: { type: 'string', enum: ['pending', 'sent', 'failed'] },
                    passedTo: { type: ['string', 'null'] },
                    sentAt: { type: ['string', 'null'] },
                    delivery: { type: ['string', 'null'] },
                  },
                },
              },
            },
          },
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const inquiry = await findInquiry(deps.db, request.params.id);
      if (!inquiry) throw new CarepathError('not-found', `no inquiry ${request.params.id}`);
      await enrollmentFor(deps, request, inquiry.enrollment_id);
      const task = await findWorklistTask(deps.db, inquiry.task_id);
      const replyKeys = REPLY_CHANNELS.map((channel) => messageKey(inquiry.enrollment_id, inquiryReplyKey(inquiry.id), channel));
      const replyMessages = await listOutboxMessagesByKeys(deps.db, replyKeys);
      const messages = await listInquiryMessages(deps.db, inquiry.id);
      await audit(deps.db, request, 'inquiry.read', { type: 'inquiry', id: inquiry.id }, { enrollmentId: inquiry.enrollment_id });
      return {
        ...inquiryView(inquiry),
        question: inquiry.question,
        ...(task ? { task: taskView(task) } : {}),
        reply: inquiry.reply,
        replyVia: inquiry.reply_via,
        messages: messages.map((m) => ({ channel: m.channel, text: m.text, receivedAt: m.received_at.toISOString(), opened: m.outcome === 'opened' })),
        replyMessages: replyMessages.map((m) => ({
          channel: m.channel,
          status: m.status,
          passedTo: m.passed_to,
          sentAt: m.sent_at?.toISOString() ?? null,
          delivery: m.delivery,
        })),
      };
    },
  );
};

function inquiryView(i: Inquiry) {
  return {
    id: i.id,
    enrollmentId: i.enrollment_id,
    taskId: i.task_id,
    urgent: i.urgent,
    channel: i.channel,
    askedAt: i.asked_at.toISOString(),
    dueAt: i.due_at.toISOString(),
    escalateAt: i.escalate_at.toISOString(),
    answeredAt: i.answered_at?.toISOString() ?? null,
    answeredBy: i.answered_by,
  };
}
