import { randomUUID } from 'node:crypto';
import { upsertEnrollmentAnchors } from '../../db/repositories/enrollment-anchors.ts';
import type { FastifyPluginAsync } from 'fastify';
import { CarepathError } from '../../errors/carepath-error.ts';
import type { Enrollment } from '../../db/repositories/enrollments.ts';
import { findPathwayVersion } from '../../db/repositories/pathway-versions.ts';
import { insertQuestionnaireResponse } from '../../db/repositories/questionnaire-responses.ts';
import { insertReading } from '../../db/repositories/readings.ts';
import { updateJourney } from '../../enrollment/journey-updates.ts';
import type { CompiledPathway } from '../../pathway/planner/index.ts';
import {
  journeyViewQuery,
  recordEventUpdate,
  setAnchorUpdate,
  setVariableUpdate,
  submitAnswersUpdate,
  submitReadingUpdate,
  useEntitlementUpdate,
} from '../../workflows/journey-definitions.ts';
import { audit } from '../audit/audit.ts';
import { actorId, principalOf } from '../auth/index.ts';
import { bearer, errorResponses, idSchema } from '../schemas/common.ts';
import { anchorBody, answersBody, entitlementUseBody, entitlementUseSchema, eventBody, readingBody } from '../schemas/enrollments.ts';
import { enrollmentFor, type RouteContext } from './context.ts';
import { stepIdOfKey } from '../../pathway/model/keys.ts';
import { mayTriggerUrgentWork } from '../../pathway/model/urgent-inputs.ts';

const enrollmentParams = { type: 'object', required: ['id'], additionalProperties: false, properties: { id: idSchema } } as const;

/**
 * What changes a running journey: events, anchor corrections, home readings and questionnaire
 * answers, each through the journey's Temporal update (its validator's rejection → 422).
 * Readings and answers are also stored, in the same transaction as their audit entry.
 */
export const journeyUpdateRoutes: FastifyPluginAsync<RouteContext> = async (app, { deps, authorize }) => {
  const { client } = deps.temporal;

  app.post<{ Params: { id: string }; Body: { name: string; at?: string; id?: string } }>(
    '/enrollments/:id/events',
    {
      onRequest: authorize('recordEvent'),
      schema: {
        summary: 'Record an event of the journey (delivered, hospitalised, withdrawn, emergency, …)',
        tags: ['enrollments'],
        security: bearer,
        params: enrollmentParams,
        body: eventBody,
        response: { 200: { type: 'object', properties: { name: { type: 'string' }, at: { type: 'string' }, id: { type: 'string' } } }, ...errorResponses },
      },
    },
    async (request) => {
      const enrollment = await enrollmentFor(deps, request, request.params.id);
      const id = request.body.id ?? randomUUID();
      const pathway = await pinnedPathway(deps, enrollment);
      const urgent = mayTriggerUrgentWork(pathway, { kind: 'event', name: request.body.name });
      const event = { name: request.body.name, id, by: actorId(principalOf(request)), ...(request.body.at ? { at: request.body.at } : {}) };
      const result = await updateJourney(client, enrollment, recordEventUpdate, event, { urgent });
      if (pathway?.events[result.name]?.setsAnchor) await upsertEnrollmentAnchors(deps.db, enrollment.id, { [result.name]: result.at }, 'event');
      await audit(deps.db, request, 'journey.event', { type: 'enrollment', id: enrollment.id }, { event: request.body.name, eventId: id });
      return { ...result, id };
    },
  );

  app.put<{ Params: { id: string; name: string }; Body: { value: string } }>(
    '/enrollments/:id/anchors/:name',
    {
      onRequest: authorize('setAnchor'),
      schema: {
        summary: 'Set or correct an anchor (e.g. the EDD re-dated by ultrasound); future steps move',
        tags: ['enrollments'],
        security: bearer,
        params: {
          type: 'object',
          required: ['id', 'name'],
          additionalProperties: false,
          properties: { id: idSchema, name: { type: 'string', pattern: '^[a-z][a-z0-9_]{0,63}$' } },
        },
        body: anchorBody,
        response: { 200: { type: 'object', properties: { name: { type: 'string' }, value: { type: 'string' } } }, ...errorResponses },
      },
    },
    async (request) => {
      const enrollment = await enrollmentFor(deps, request, request.params.id);
      const result = await updateJourney(client, enrollment, setAnchorUpdate, {
        name: request.params.name,
        value: request.body.value,
        by: actorId(principalOf(request)),
      });
      await upsertEnrollmentAnchors(deps.db, enrollment.id, { [result.name]: result.value }, 'corrected');
      await audit(deps.db, request, 'journey.anchor.set', { type: 'enrollment', id: enrollment.id }, { anchor: request.params.name });
      return result;
    },
  );

  app.put<{ Params: { id: string; name: string }; Body: { value: boolean | number | string } }>(
    '/enrollments/:id/variables/:name',
    {
      onRequest: authorize('setAnchor'),
      schema: {
        summary: 'Set a variable known after enrolment (a risk flag, a report value); conditioned steps follow',
        tags: ['enrollments'],
        security: bearer,
        params: {
          type: 'object',
          required: ['id', 'name'],
          additionalProperties: false,
          properties: { id: idSchema, name: { type: 'string', pattern: '^[a-z][a-z0-9_]{0,63}$' } },
        },
        body: {
          type: 'object',
          required: ['value'],
          additionalProperties: false,
          properties: { value: { type: ['boolean', 'number', 'string'], maxLength: 200 } },
        },
        response: { 200: { type: 'object', properties: { name: { type: 'string' }, value: { type: ['boolean', 'number', 'string'] } } }, ...errorResponses },
      },
    },
    async (request) => {
      const enrollment = await enrollmentFor(deps, request, request.params.id);
      const result = await updateJourney(client, enrollment, setVariableUpdate, {
        name: request.params.name,
        value: request.body.value,
        by: actorId(principalOf(request)),
      });
      await audit(deps.db, request, 'journey.variable.set', { type: 'enrollment', id: enrollment.id }, { variable: request.params.name });
      return result;
    },
  );

  app.post<{ Params: { id: string; entitlement: string }; Body: { ref: string } }>(
    '/enrollments/:id/entitlements/:entitlement/uses',
    {
      onRequest: authorize('useEntitlement'),
      schema: {
        summary: 'Record one use of an entitlement (a consultation, a green-channel visit); a cap with nothing left answers 422',
        tags: ['enrollments'],
        security: bearer,
        params: {
          type: 'object',
          required: ['id', 'entitlement'],
          additionalProperties: false,
          properties: { id: idSchema, entitlement: { type: 'string', pattern: '^[a-z][a-z0-9_]{0,63}$' } },
        },
        body: entitlementUseBody,
        response: { 200: entitlementUseSchema, 201: entitlementUseSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const enrollment = await enrollmentFor(deps, request, request.params.id);
      const use = await updateJourney(client, enrollment, useEntitlementUpdate, {
        entitlement: request.params.entitlement,
        ref: request.body.ref,
        by: actorId(principalOf(request)),
      });
      if (!use.duplicate)
        await audit(deps.db, request, 'journey.entitlement.used', { type: 'enrollment', id: enrollment.id }, { entitlement: use.entitlement, ref: use.ref });
      return reply.status(use.duplicate ? 200 : 201).send({ ...use, enforced: use.enforced ?? true });
    },
  );

  app.post<{ Params: { id: string }; Body: { id: string; metric: string; at: string; values: Record<string, number | boolean> } }>(
    '/enrollments/:id/readings',
    {
      onRequest: authorize('submitReading'),
      schema: {
        summary: 'Submit a home reading (blood pressure, glucose, weight, …); threshold rules run at once',
        tags: ['enrollments'],
        security: bearer,
        params: enrollmentParams,
        body: readingBody,
        response: { 201: { type: 'object', properties: { id: { type: 'string' } } }, ...errorResponses },
      },
    },
    async (request, reply) => {
      const enrollment = await enrollmentFor(deps, request, request.params.id);
      const by = actorId(principalOf(request));
      const { id, metric, at, values } = request.body;
      const urgent = mayTriggerUrgentWork(await pinnedPathway(deps, enrollment), { kind: 'reading', metric });
      await deps.db.transaction().execute(async (trx) => {
        if (!(await insertReading(trx, { enrollmentId: enrollment.id, readingId: id, metric, at, values, submittedBy: by }))) {
          throw new CarepathError('conflict', `reading '${id}' was already submitted`);
        }
        await audit(trx, request, 'journey.reading', { type: 'enrollment', id: enrollment.id }, { readingId: id, metric });
        await updateJourney(client, enrollment, submitReadingUpdate, { id, metric, at, values, by }, { urgent });
      });
      return reply.status(201).send({ id });
    },
  );

  app.post<{ Params: { id: string; qid: string }; Body: { items: Record<string, number> } }>(
    '/enrollments/:id/questionnaires/:qid/answers',
    {
      onRequest: authorize('submitAnswers'),
      schema: {
        summary: 'Submit the answers to an issued questionnaire; :qid is its occurrence key (epds_2w#1), step id or questionnaire id',
        tags: ['enrollments'],
        security: bearer,
        params: {
          type: 'object',
          required: ['id', 'qid'],
          additionalProperties: false,
          properties: { id: idSchema, qid: { type: 'string', minLength: 1, maxLength: 128 } },
        },
        body: answersBody,
        response: { 201: { type: 'object', properties: { key: { type: 'string' }, score: { type: 'number' } } }, ...errorResponses },
      },
    },
    async (request, reply) => {
      const enrollment = await enrollmentFor(deps, request, request.params.id);
      const by = actorId(principalOf(request));
      const pathway = await pinnedPathway(deps, enrollment);
      const key = await openQuestionnaireKey(deps, enrollment, pathway, request.params.qid);
      const questionnaireId = questionnaireOf(pathway, key) ?? request.params.qid;
      const result = await deps.db.transaction().execute(async (trx) => {
        await audit(trx, request, 'journey.answers', { type: 'enrollment', id: enrollment.id }, { key, questionnaire: questionnaireId });
        const urgent = mayTriggerUrgentWork(pathway, { kind: 'answers', stepId: stepIdOfKey(key) ?? key });
        const answered = await updateJourney(client, enrollment, submitAnswersUpdate, { key, items: request.body.items, by }, { urgent });
        await insertQuestionnaireResponse(trx, {
          enrollmentId: enrollment.id,
          occurrenceKey: key,
          questionnaireId,
          items: request.body.items,
          score: answered.score,
          submittedBy: by,
        });
        return answered;
      });
      return reply.status(201).send(result);
    },
  );
};

/**
 * The occurrence key the answers are for: `qid` itself when it names an open questionnaire,
 * else the one open questionnaire whose step or questionnaire id is `qid`.
 */
async function openQuestionnaireKey(deps: RouteContext['deps'], enrollment: Enrollment, pathway: CompiledPathway | undefined, qid: string): Promise<string> {
  if (stepIdOfKey(qid)) return qid;
  let open;
  try {
    open = (await deps.temporal.client.workflow.getHandle(enrollment.workflow_id).query(journeyViewQuery)).open;
  } catch {
    throw new CarepathError('conflict', `the journey of enrolment ${enrollment.id} did not answer; give the questionnaire's occurrence key (e.g. ${qid}#1)`);
  }
  const matches = open.filter((o) => o.kind === 'questionnaire' && (o.step === qid || questionnaireOf(pathway, o.key) === qid));
  if (matches.length === 1) return matches[0]!.key;
  if (matches.length === 0) throw new CarepathError('invalid-input', `no open questionnaire '${qid}' in this journey`);
  throw new CarepathError('invalid-input', `several questionnaires '${qid}' are open (${matches.map((m) => m.key).join(', ')}): give the occurrence key`, {
    open: matches.map((m) => m.key),
  });
}

/** The compiled pathway version the journey runs (kept in pathway_versions), else the current one. */
async function pinnedPathway(deps: RouteContext['deps'], enrollment: Enrollment): Promise<CompiledPathway | undefined> {
  return (await findPathwayVersion(deps.db, enrollment.pathway_id, enrollment.pathway_version)) ?? deps.pathways.get(enrollment.pathway_id);
}

function questionnaireOf(pathway: CompiledPathway | undefined, key: string): string | undefined {
  const id = stepIdOfKey(key) ?? key;
  const step = pathway?.steps.find((s) => s.id === id);
  return step?.kind === 'questionnaire' ? step.questionnaire : undefined;
}
