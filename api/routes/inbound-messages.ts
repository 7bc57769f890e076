import type { FastifyPluginAsync } from 'fastify';
import { listUnattachedInboundMessages } from '../../db/repositories/inbound-messages.ts';
import { audit } from '../audit/audit.ts';
import { may, principalOf } from '../auth/index.ts';
import { bearer, errorResponses, pageQuery } from '../schemas/common.ts';
import type { RouteContext } from './context.ts';
import { patientNames } from './task-context.ts';

const messageSchema = {
  type: 'object',
  properties: {
    id: { type: 'string' },
    channel: { type: 'string' },
    provider: { type: 'string' },
    providerMessageId: { type: 'string', description: "the provider's id of the message, to find it in the provider's console (its text is not kept)" },
    outcome: {
      type: 'string',
      enum: ['unmatched', 'ambiguous', 'not-enrolled'],
      description: 'unmatched: no patient has this contact point; ambiguous: several do; not-enrolled: a known patient with no active enrolment',
    },
    receivedAt: { type: 'string' },
    patient: {
      type: 'object',
      properties: { name: { type: ['string', 'null'] } },
      description: 'for not-enrolled: the patient, for roles that read identities',
    },
  },
} as const;

/**
 * Patients' messages that could not become an inquiry because their sender was not certain: kept
 * without their text (channels/…, enrollment/inquiries/patient-message.ts), listed here so that
 * a coordinator looks each up in the Official Account's or SMS provider's console and calls back.
 */
export const inboundMessageRoutes: FastifyPluginAsync<RouteContext> = async (app, { deps, authorize }) => {
  app.get<{ Querystring: { limit: number; offset: number } }>(
    '/inbound-messages',
    {
      onRequest: authorize('readUnattachedMessages'),
      schema: {
        summary: "Patients' messages kept without text because their sender was not certain, newest first",
        tags: ['inquiries'],
        security: bearer,
        querystring: { type: 'object', additionalProperties: false, properties: { ...pageQuery } },
        response: {
          200: { type: 'object', properties: { items: { type: 'array', items: messageSchema }, limit: { type: 'integer' }, offset: { type: 'integer' } } },
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const { limit, offset } = request.query;
      const rows = await listUnattachedInboundMessages(deps.db, { limit, offset });
      const refs = [...new Set(rows.filter((r) => r.outcome === 'not-enrolled' && r.patient_ref).map((r) => r.patient_ref!))];
      const readsNames = refs.length > 0 && may(principalOf(request), 'readIdentity') && deps.identity !== undefined;
      const names = readsNames ? await patientNames(deps, refs) : new Map<string, string | null>();
      if (readsNames)
        await audit(deps.db, request, 'patient.name.read', { type: 'patient', id: null }, { patientRefs: [...names.keys()], purpose: 'inbound-messages' });
      await audit(deps.db, request, 'inbound-message.list', { type: 'inbound-message', id: null }, { count: rows.length, limit, offset });
      return {
        items: rows.map((r) => ({
          id: r.id,
          channel: r.channel,
          provider: r.provider,
          providerMessageId: r.provider_message_id,
          outcome: r.outcome,
          receivedAt: r.received_at.toISOString(),
          ...(r.patient_ref && names.has(r.patient_ref) ? { patient: { name: names.get(r.patient_ref) ?? null } } : {}),
        })),
        limit,
        offset,
      };
    },
  );
};
