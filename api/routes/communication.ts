import type { FastifyPluginAsync } from 'fastify';
import { listJourneyEvents } from '../../db/repositories/journey-events.ts';
import { listOutboxMessages, type OutboxMessage } from '../../db/repositories/outbox.ts';
import type { Projection } from '../../pathway/planner/index.ts';
import { timelineQuery } from '../../workflows/journey-definitions.ts';
import type { RenderTemplate } from '../../channels/templates.ts';
import { readPatientIdentity } from '../../enrollment/identity/patient-directory.ts';
import { audit } from '../audit/audit.ts';
import { may } from '../auth/roles.ts';
import { principalOf } from '../auth/guard.ts';
import { bearer, errorResponses, idParams } from '../schemas/common.ts';
import { enrollmentFor, vaultOf, type RouteContext } from './context.ts';

const QUERY_TIMEOUT_MS = 5_000;

const messageSchema = {
  type: 'object',
  required: ['key', 'step', 'channel', 'templateId', 'status', 'attempts', 'createdAt'],
  properties: {
    key: { type: 'string', description: 'the idempotency key: one message per step occurrence and channel' },
    step: { type: 'string' },
    channel: { type: 'string' },
    audience: { type: 'string' },
    templateId: { type: 'string' },
    urgent: { type: 'boolean' },
    status: {
      type: 'string',
      enum: ['pending', 'sent', 'handed-over', 'passed-on'],
      description:
        "handed-over: not delivered; a person was given a task to deliver it. passed-on: failed, and the next channel of the step's preference order took over",
    },
    passedTo: { type: ['string', 'null'], description: 'for a passed-on message: the channel that took over (phone: a call task)' },
    attempts: { type: 'integer' },
    lastError: { type: ['string', 'null'], description: "the last failure as classified (channel, status, provider code): never the provider's text" },
    providerMessageId: { type: ['string', 'null'] },
    createdAt: { type: 'string' },
    sentAt: { type: ['string', 'null'] },
    delivery: {
      type: ['string', 'null'],
      enum: ['delivered', 'undelivered', null],
      description: "what the provider's receipt said became of a sent message on the patient's phone; null: no receipt (yet, or the channel sends none)",
    },
    deliveryCode: { type: ['string', 'null'], description: "the receipt's code (DELIVRD, a carrier's error code)" },
    deliveredAt: { type: ['string', 'null'], description: 'when the receipt says it was delivered, or failed' },
    text: {
      type: ['string', 'null'],
      description:
        "the text as the patient reads it (on SMS a sensitive template's neutral text), for roles that may read identity (audited as patient.name.read); null if the template can no longer be rendered",
    },
  },
} as const;

const entrySchema = {
  type: 'object',
  required: ['at', 'key', 'step', 'kind', 'status'],
  properties: {
    at: { type: 'string' },
    plannedAt: { type: 'string' },
    key: { type: 'string' },
    step: { type: 'string' },
    kind: { type: 'string' },
    code: { type: 'string' },
    title: { type: 'string' },
    stage: { type: 'string' },
    role: { type: 'string' },
    channels: { type: 'array', items: { type: 'string' } },
    urgency: { type: 'string' },
    age: { type: 'string' },
    status: { type: 'string', enum: ['planned', 'skipped', 'recorded', 'cancelled'] },
    reason: { type: 'string', description: 'why it was skipped or cancelled' },
  },
} as const;

/** What was sent to a patient, and what her journey did and will do: for anyone who may read the enrolment. */
export const communicationRoutes: FastifyPluginAsync<RouteContext> = async (app, { deps, authorize }) => {
  app.get<{ Params: { id: string } }>(
    '/enrollments/:id/messages',
    {
      onRequest: authorize('readEnrollment'),
      schema: {
        summary:
          'The messages of an enrolment: when, on which channel, to whom, and what became of each; the text only for roles that may read identity, never the recipient',
        tags: ['enrollments'],
        security: bearer,
        params: idParams,
        response: { 200: { type: 'object', required: ['items'], properties: { items: { type: 'array', items: messageSchema } } }, ...errorResponses },
      },
    },
    async (request) => {
      const enrollment = await enrollmentFor(deps, request, request.params.id);
      const rows = await listOutboxMessages(deps.db, enrollment.id);
      const render = may(principalOf(request), 'readIdentity') && deps.renderTemplate && deps.identity ? deps.renderTemplate : null;
      const patient = render && rows.length ? await readPatientIdentity(deps.db, vaultOf(deps), enrollment.patient_ref) : undefined;
      const items = rows.map((row) => ({ ...messageView(row), ...(render ? { text: textOf(render, row, patient?.name) } : {}) }));
      await audit(deps.db, request, 'enrollment.messages.read', { type: 'enrollment', id: enrollment.id }, { count: items.length, text: render !== null });
      if (patient)
        await audit(
          deps.db,
          request,
          'patient.name.read',
          { type: 'patient', id: enrollment.patient_ref },
          { purpose: 'message-history', enrollmentId: enrollment.id },
        );
      return { items };
    },
  );

  app.get<{ Params: { id: string } }>(
    '/enrollments/:id/timeline',
    {
      onRequest: authorize('readEnrollment'),
      schema: {
        summary: "An enrolment's timeline: what happened (events), and from now on what is planned, skipped (with why) or recorded, from the journey itself",
        tags: ['enrollments'],
        security: bearer,
        params: idParams,
        response: {
          200: {
            type: 'object',
            required: ['happened', 'ahead'],
            properties: {
              happened: {
                type: 'array',
                items: {
                  type: 'object',
                  required: ['key', 'type', 'at'],
                  properties: {
                    key: { type: 'string' },
                    type: { type: 'string', description: 'completed, skipped, cancelled, event, anchor-set, answered, reading, …' },
                    step: { type: ['string', 'null'] },
                    at: { type: 'string' },
                    reason: { type: 'string', description: 'why a step was skipped or cancelled' },
                  },
                },
              },
              ahead: {
                type: ['object', 'null'],
                properties: {
                  status: { type: 'string', description: 'how the journey ends if it goes as planned from now on (e.g. completed)' },
                  entries: { type: 'array', items: entrySchema },
                  estimated: { type: 'array', items: { type: 'string' }, description: 'anchors assumed at their estimate, e.g. delivery at the EDD' },
                  notProjected: { type: 'array', items: { type: 'object', properties: { step: { type: 'string' }, why: { type: 'string' } } } },
                },
              },
              aheadUnavailable: { type: 'string', description: 'why the journey could not be asked (it has ended, or Temporal did not answer)' },
            },
          },
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const enrollment = await enrollmentFor(deps, request, request.params.id);
      const [events, ahead] = await Promise.all([listJourneyEvents(deps.db, enrollment.id), projectionOf(deps, enrollment.workflow_id)]);
      await audit(deps.db, request, 'enrollment.timeline.read', { type: 'enrollment', id: enrollment.id }, { events: events.length });
      return {
        // Event details may carry answers or readings: only their kind, time and a skip's or cancellation's reason are shown here.
        happened: events.map((e) => ({ key: e.event_key, type: e.type, step: e.step_id, at: e.at.toISOString(), ...reasonOf(e.details) })),
        ...('projection' in ahead ? { ahead: ahead.projection } : { ahead: null, aheadUnavailable: ahead.reason }),
      };
    },
  );
};

function reasonOf(details: unknown): { reason?: string } {
  const reason = (details as { reason?: unknown } | null)?.reason;
  return typeof reason === 'string' && /^[a-z][a-z-]{0,40}$/.test(reason) ? { reason } : {};
}

/** The text a message was sent as, rendered again from its template and stored variables (the name is never stored with them). */
function textOf(render: RenderTemplate, row: OutboxMessage, name: string | undefined): string | null {
  try {
    return render(row.template_id, name === undefined ? row.variables : { ...row.variables, name }, row.channel).text;
  } catch {
    return null;
  }
}

function messageView(m: OutboxMessage) {
  return {
    key: m.idempotency_key,
    step: m.step_id,
    channel: m.channel,
    audience: m.audience,
    templateId: m.template_id,
    urgent: m.urgent,
    status: m.status !== 'failed' ? m.status : m.passed_to ? ('passed-on' as const) : ('handed-over' as const),
    passedTo: m.passed_to,
    attempts: m.attempts,
    lastError: m.last_error,
    providerMessageId: m.provider_message_id,
    createdAt: m.created_at.toISOString(),
    sentAt: m.sent_at?.toISOString() ?? null,
    delivery: m.delivery,
    deliveryCode: m.delivery_code,
    deliveredAt: m.delivered_at?.toISOString() ?? null,
  };
}

async function projectionOf(deps: RouteContext['deps'], workflowId: string): Promise<{ projection: Projection } | { reason: string }> {
  try {
    const handle = deps.temporal.client.workflow.getHandle(workflowId);
    return { projection: await deps.temporal.connection.withDeadline(Date.now() + QUERY_TIMEOUT_MS, () => handle.query(timelineQuery)) };
  } catch (err) {
    return { reason: `the journey did not answer: ${((err as Error).message ?? String(err)).split('\n')[0]}` };
  }
}
