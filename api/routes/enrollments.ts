import { createHash } from 'node:crypto';
import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { CarepathError } from '../../errors/carepath-error.ts';
import type { EnrollmentStatus } from '../../db/database.ts';
import { listEnrollmentConsents } from '../../db/repositories/consents.ts';
import { syncEnrollmentAnchors } from '../../db/repositories/enrollment-anchors.ts';
import { listEnrollments } from '../../db/repositories/enrollment-search.ts';
import type { Enrollment } from '../../db/repositories/enrollments.ts';
import { findPathwayVersion } from '../../db/repositories/pathway-versions.ts';
import { claimIdempotencyKey, completeIdempotencyKey, releaseIdempotencyKey } from '../../db/repositories/idempotency-keys.ts';
import { enrollPatient, type ConsentInput } from '../../enrollment/enroll-patient.ts';
import type { PatientIdentity } from '../../enrollment/identity/identity-vault.ts';
import { readPatientIdentity } from '../../enrollment/identity/patient-directory.ts';
import { recordedAnchorsOfJourney } from '../../enrollment/patient-context.ts';
import { journeyViewQuery, type JourneyView } from '../../workflows/journey-definitions.ts';
import { audit } from '../audit/audit.ts';
import { actorId, may, principalOf } from '../auth/index.ts';
import type { Principal } from '../auth/roles.ts';
import { bearer, errorResponses, idParams, pageQuery } from '../schemas/common.ts';
import { createdEnrollmentSchema, createEnrollmentBody, enrollmentSummarySchema, enrollmentViewSchema } from '../schemas/enrollments.ts';
import { enrollmentFor, TENANT, vaultOf, type RouteContext } from './context.ts';

interface CreateEnrollment {
  Body: {
    patient: PatientIdentity;
    consent: ConsentInput;
    program: string;
    anchors: Record<string, string>;
    variables?: Record<string, boolean | number | string>;
    butlerId: string;
  };
  Headers: { 'idempotency-key'?: string };
}

const QUERY_TIMEOUT_MS = 5_000;

/** Enrolments: create (with patient identity and consent), read one, list. */
export const enrollmentRoutes: FastifyPluginAsync<RouteContext> = async (app, { deps, authorize }) => {
  app.post<CreateEnrollment>(
    '/enrollments',
    {
      onRequest: authorize('createEnrollment'),
      schema: {
        summary: 'Enrol a patient in a program (pathway): records identity (encrypted), consent and enrolment, and starts the journey',
        tags: ['enrollments'],
        security: bearer,
        headers: {
          type: 'object',
          properties: {
            'idempotency-key': {
              type: 'string',
              pattern: '^[A-Za-z0-9_.:-]{1,128}$',
              description: 'a resent request with the same key answers the first reply again',
            },
          },
        },
        body: createEnrollmentBody,
        response: { 201: createdEnrollmentSchema, ...errorResponses },
      },
    },
    async (request, reply) => {
      const principal = principalOf(request);
      const vault = vaultOf(deps);
      const idempotencyKey = request.headers['idempotency-key'];
      const claimKey = `POST /v1/enrollments ${idempotencyKey}`;
      if (idempotencyKey) {
        const requestHash = createHash('sha256').update(JSON.stringify(request.body)).digest('hex');
        const existing = await claimIdempotencyKey(deps.db, principal.clientId, claimKey, requestHash);
        if (existing) {
          if (existing.request_hash !== requestHash) throw new CarepathError('invalid-input', 'this Idempotency-Key was already used for a different request');
          if (existing.status_code === null) throw new CarepathError('conflict', 'a request with this Idempotency-Key is still being handled; retry shortly');
          const replayed = existing.response as { id?: string };
          await audit(deps.db, request, 'enrollment.create.replay', { type: 'enrollment', id: replayed.id ?? null });
          return reply.status(existing.status_code).header('Idempotent-Replayed', 'true').send(replayed);
        }
      }
      try {
        const { program, anchors, variables, butlerId } = request.body;
        const refusal = deps.pathways.refusal(program);
        if (refusal) throw new CarepathError('pathway-refused', `program '${program}' takes no new enrolments until its file is fixed: ${refusal}`);
        const pathway = deps.pathways.get(program);
        if (!pathway) {
          const offered = deps.pathways.list().map((p) => p.id);
          throw new CarepathError('invalid-input', `unknown program '${program}' (offered: ${offered.join(', ') || 'none'})`, { offered });
        }
        const result = await enrollPatient(
          { db: deps.db, client: deps.temporal.client, taskQueue: deps.temporal.taskQueue, vault },
          {
            patient: request.body.patient,
            consent: request.body.consent,
            pathway,
            anchors,
            ...(variables ? { variables } : {}),
            butlerId,
            tenant: TENANT,
            actor: actorId(principal),
            revealRef: may(principal, 'readPatientRef'),
          },
          {
            recorded: (trx, r) =>
              audit(
                trx,
                request,
                'enrollment.create',
                { type: 'enrollment', id: r.enrollmentId },
                { patientRef: r.patientRef, program, newPatient: r.newPatient, consentScope: request.body.consent.scope },
              ),
            rolledBack: (trx, r, reason) => audit(trx, request, 'enrollment.create.rolled-back', { type: 'enrollment', id: r.enrollmentId }, { reason }),
          },
        );
        const body = {
          id: result.enrollmentId,
          // Whether the patient was known, and who she is, only for roles that may link her enrolments.
          ...(may(principal, 'readPatientRef') ? { patientRef: result.patientRef, workflowId: result.workflowId, newPatient: result.newPatient } : {}),
          program: pathway.id,
          pathwayVersion: pathway.version,
          status: 'active',
        };
        if (idempotencyKey) await completeIdempotencyKey(deps.db, principal.clientId, claimKey, 201, body);
        return reply.status(201).send(body);
      } catch (err) {
        if (idempotencyKey) await releaseIdempotencyKey(deps.db, principal.clientId, claimKey);
        throw err;
      }
    },
  );

  app.get<{ Params: { id: string } }>(
    '/enrollments/:id',
    {
      onRequest: authorize('readEnrollment'),
      schema: {
        summary: "One enrolment: its record, consents, the journey's live view and (for care staff) the patient's identity",
        tags: ['enrollments'],
        security: bearer,
        params: idParams,
        response: { 200: enrollmentViewSchema, ...errorResponses },
      },
    },
    async (request) => {
      const enrollment = await enrollmentFor(deps, request, request.params.id);
      const principal = principalOf(request);
      const [consents, journey] = await Promise.all([listEnrollmentConsents(deps.db, enrollment.id), queryJourney(deps, enrollment)]);
      if ('view' in journey) await keepAnchorsInStep(deps, request, enrollment, journey.view);
      const showIdentity = may(principal, 'readIdentity');
      const patient = showIdentity ? await readPatientIdentity(deps.db, vaultOf(deps), enrollment.patient_ref) : undefined;
      await audit(
        deps.db,
        request,
        'enrollment.read',
        { type: 'enrollment', id: enrollment.id },
        { patientRef: enrollment.patient_ref, identity: patient !== undefined },
      );
      if (patient) await audit(deps.db, request, 'patient.identity.read', { type: 'patient', id: enrollment.patient_ref }, { enrollmentId: enrollment.id });
      return {
        ...summary(enrollment, principal),
        ...(patient ? { patient } : {}),
        consents: consents.map((c) => ({ scope: c.scope, givenAt: c.given_at.toISOString(), recordedBy: c.recorded_by, method: c.method })),
        journey: 'view' in journey ? journey.view : null,
        ...('reason' in journey ? { journeyUnavailable: journey.reason } : {}),
      };
    },
  );

  app.get<{ Querystring: { program?: string; butler?: string; status?: EnrollmentStatus; limit: number; offset: number } }>(
    '/enrollments',
    {
      onRequest: authorize('readEnrollment'),
      schema: {
        summary: 'Enrolments, newest first; a butler sees only their own patients',
        tags: ['enrollments'],
        security: bearer,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            program: { type: 'string', maxLength: 100, description: 'pathway id or program family' },
            butler: { type: 'string', maxLength: 64 },
            status: { type: 'string', enum: ['active', 'completed', 'exited', 'failed'] },
            ...pageQuery,
          },
        },
        response: {
          200: {
            type: 'object',
            properties: { items: { type: 'array', items: enrollmentSummarySchema }, limit: { type: 'integer' }, offset: { type: 'integer' } },
          },
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const { program, status, limit, offset } = request.query;
      let { butler } = request.query;
      if (principal.role === 'butler') {
        if (butler !== undefined && butler !== principal.butlerId) throw new CarepathError('forbidden', 'a butler sees only their own patients');
        butler = principal.butlerId ?? '\u0000none';
      }
      const rows = await listEnrollments(deps.db, {
        ...(program ? { program } : {}),
        ...(butler ? { butler } : {}),
        ...(status ? { status } : {}),
        limit,
        offset,
      });
      await audit(
        deps.db,
        request,
        'enrollment.list',
        { type: 'enrollment', id: null },
        { filter: { program, butler, status, limit, offset }, count: rows.length },
      );
      return { items: rows.map((row) => summary(row, principal)), limit, offset };
    },
  );
};

/** The enrolment as the API shows it (pseudonymous; without the pseudonym for roles that may not link enrolments). */
function summary(e: Enrollment, principal: Principal) {
  return {
    id: e.id,
    ...(may(principal, 'readPatientRef') ? { patientRef: e.patient_ref } : {}),
    program: e.pathway_id,
    programFamily: e.program,
    pathwayVersion: e.pathway_version,
    butlerId: e.butler_id,
    status: e.status,
    createdAt: e.created_at.toISOString(),
    endedAt: e.ended_at?.toISOString() ?? null,
  };
}

/** The journey is the truth of its anchors: the worklist's copy follows what its view says (a write a crash lost). */
async function keepAnchorsInStep(deps: RouteContext['deps'], request: FastifyRequest, enrollment: Enrollment, view: JourneyView): Promise<void> {
  try {
    const pathway =
      deps.pathways.get(view.pathway.id)?.hash === view.pathway.hash
        ? deps.pathways.get(view.pathway.id)
        : await findPathwayVersion(deps.db, view.pathway.id, view.pathway.version);
    if (await syncEnrollmentAnchors(deps.db, enrollment.id, recordedAnchorsOfJourney(pathway, view)))
      request.log.info({ enrollmentId: enrollment.id }, 'recorded anchors brought in line with the journey');
  } catch (err) {
    request.log.warn({ enrollmentId: enrollment.id, err: (err as Error).message }, 'recorded anchors not brought in line with the journey');
  }
}

async function queryJourney(deps: RouteContext['deps'], enrollment: Enrollment): Promise<{ view: JourneyView } | { reason: string }> {
  try {
    const handle = deps.temporal.client.workflow.getHandle(enrollment.workflow_id);
    const view = await deps.temporal.connection.withDeadline(Date.now() + QUERY_TIMEOUT_MS, () => handle.query(journeyViewQuery));
    return { view };
  } catch (err) {
    return { reason: `the journey did not answer: ${((err as Error).message ?? String(err)).split('\n')[0]}` };
  }
}
