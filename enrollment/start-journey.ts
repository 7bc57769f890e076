import { WorkflowExecutionAlreadyStartedError, type Client } from '@temporalio/client';
import { WorkflowIdConflictPolicy, WorkflowIdReusePolicy } from '@temporalio/common';
import type { Kysely, Transaction } from 'kysely';
import { CarepathError } from '../errors/carepath-error.ts';
import type { Database } from '../db/database.ts';
import type { CompiledPathway } from '../pathway/planner/index.ts';
import type { JourneyInput } from '../workflows/journey-definitions.ts';
import { DEFAULT_REPLAY_BUDGET, type ReplayBudget } from '../workflows/replay-budget.ts';
import { ButlerKey, PathwayVersionKey, PatientRefKey, ProgramKey, StageKey, StatusKey, TenantKey } from '../workflows/search-attributes.ts';
import type { journeyWorkflow } from '../workflows/journey.ts';

/**
 * The journey's workflow id: one running journey per tenant, pathway and (pseudonymous) patient.
 * Temporal refuses a second running workflow with the same id, which is what rejects a double
 * enrolment even when two requests race past the database check.
 */
export function journeyWorkflowId(tenant: string, pathwayId: string, patientRef: string): string {
  return `journey/${tenant}/${pathwayId}/${patientRef}`;
}

export interface StartJourneyRequest {
  enrollmentId: string;
  patientRef: string;
  tenant: string;
  butlerId: string | null;
  pathway: CompiledPathway;
  anchors: Record<string, string>;
  variables?: Record<string, boolean | number | string>;
  enrolledAt: string;
  /** Index the journey with search attributes (default true; false on the time-skipping test server). */
  searchAttributes?: boolean;
  /** Overrides of the replay budget pinned into the journey (tests use small ones). */
  replayBudget?: Partial<ReplayBudget>;
}

/**
 * Records the enrolment and starts its journey workflow with the compiled pathway pinned in the
 * input. A second active enrolment of the same patient in the same program is a `conflict`.
 */
export async function startJourney(
  db: Kysely<Database>,
  client: Client,
  taskQueue: string,
  request: StartJourneyRequest,
): Promise<{ workflowId: string; runId: string }> {
  await insertEnrollmentRow(db, request);
  try {
    return await startJourneyWorkflow(client, taskQueue, request);
  } catch (err) {
    await db.deleteFrom('enrollments').where('id', '=', request.enrollmentId).execute();
    throw err;
  }
}

/** Inserts the enrolment row (in the caller's transaction, if any); `conflict` when already enrolled. */
export async function insertEnrollmentRow(db: Kysely<Database> | Transaction<Database>, request: StartJourneyRequest): Promise<void> {
  const { pathway } = request;
  try {
    await db
      .insertInto('enrollments')
      .values({
        id: request.enrollmentId,
        patient_ref: request.patientRef,
        tenant: request.tenant,
        program: pathway.program,
        pathway_id: pathway.id,
        pathway_version: pathway.version,
        pathway_hash: pathway.hash,
        workflow_id: journeyWorkflowId(request.tenant, pathway.id, request.patientRef),
        butler_id: request.butlerId,
        created_at: request.enrolledAt,
      })
      .execute();
  } catch (err) {
    if ((err as { code?: string }).code === '23505') throw alreadyEnrolled(pathway.id);
    throw err;
  }
}

/** Starts the journey workflow of an enrolment already recorded; `conflict` when one is running. */
export async function startJourneyWorkflow(client: Client, taskQueue: string, request: StartJourneyRequest): Promise<{ workflowId: string; runId: string }> {
  const { pathway } = request;
  const workflowId = journeyWorkflowId(request.tenant, pathway.id, request.patientRef);
  const input: JourneyInput = {
    enrollmentId: request.enrollmentId,
    patientRef: request.patientRef,
    tenant: request.tenant,
    butlerId: request.butlerId,
    pathway,
    replayBudget: { ...DEFAULT_REPLAY_BUDGET, ...request.replayBudget },
    ...(request.searchAttributes === false ? { searchAttributes: false } : {}),
    journey: { enrolledAt: request.enrolledAt, anchors: { ...request.anchors }, ...(request.variables ? { variables: { ...request.variables } } : {}) },
  };
  try {
    const handle = await client.workflow.start<typeof journeyWorkflow>('journeyWorkflow', {
      workflowId,
      taskQueue,
      args: [input],
      workflowIdReusePolicy: WorkflowIdReusePolicy.ALLOW_DUPLICATE,
      workflowIdConflictPolicy: WorkflowIdConflictPolicy.FAIL,
      typedSearchAttributes:
        request.searchAttributes === false
          ? []
          : [
              { key: ProgramKey, value: pathway.program },
              { key: PathwayVersionKey, value: `${pathway.id}@${pathway.version}` },
              { key: TenantKey, value: request.tenant },
              { key: PatientRefKey, value: request.patientRef },
              { key: StatusKey, value: 'active' },
              { key: StageKey, value: 'enrolled' },
              ...(request.butlerId ? [{ key: ButlerKey, value: request.butlerId }] : []),
            ],
    });
    return { workflowId, runId: handle.firstExecutionRunId };
  } catch (err) {
    if (err instanceof WorkflowExecutionAlreadyStartedError) throw alreadyEnrolled(pathway.id);
    throw err;
  }
}

function alreadyEnrolled(pathwayId: string): CarepathError {
  return new CarepathError('conflict', `this patient already has an active enrolment in ${pathwayId}`);
}
