import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { Kysely, Transaction } from 'kysely';
import { CarepathError } from '../errors/carepath-error.ts';
import type { Database } from '../db/database.ts';
import { insertConsent } from '../db/repositories/consents.ts';
import { upsertEnrollmentAnchors } from '../db/repositories/enrollment-anchors.ts';
import { deletePatientIfUnused } from '../db/repositories/patients.ts';
import type { CompiledPathway } from '../pathway/planner/index.ts';
import { checkEnrollmentAnchors, checkEnrollmentVariables } from './enrollment-input.ts';
import type { IdentityVault, PatientIdentity } from './identity/identity-vault.ts';
import { registerPatient } from './identity/patient-directory.ts';
import { insertEnrollmentRow, journeyWorkflowId, startJourneyWorkflow, type StartJourneyRequest } from './start-journey.ts';

/** Consent recorded with an enrolment (PIPL: explicit, before the record is created). */
export interface ConsentInput {
  scope: string[];
  givenAt: string;
  recordedBy: string;
  method?: string;
  documentRef?: string;
}

export interface EnrollPatientRequest {
  patient: PatientIdentity;
  consent: ConsentInput;
  pathway: CompiledPathway;
  anchors: Record<string, string>;
  variables?: Record<string, boolean | number | string>;
  butlerId: string | null;
  tenant: string;
  /** Who enrols (for created_by columns). */
  actor: string;
  /** Whether the caller may see the patient's pseudonym (named in an identity mismatch). */
  revealRef: boolean;
}

export interface EnrollPatientResult {
  enrollmentId: string;
  patientRef: string;
  workflowId: string;
  newPatient: boolean;
}

export interface EnrollDeps {
  db: Kysely<Database>;
  client: Client;
  taskQueue: string;
  vault: IdentityVault;
}

/** Audit entries written in the enrolment's transactions: so no change goes unrecorded. */
export interface EnrollmentAuditHooks {
  recorded(trx: Transaction<Database>, result: EnrollPatientResult): Promise<void>;
  /** The workflow could not start and the rows were removed again. */
  rolledBack(trx: Transaction<Database>, result: EnrollPatientResult, reason: string): Promise<void>;
}

/** How far in the future a consent time may lie (clock skew between systems). */
const CONSENT_CLOCK_SKEW_MS = 5 * 60_000;

/**
 * Enrols a patient: checks anchors, variables and consent; then in one transaction registers the
 * patient (identity encrypted), the enrolment, its consent and the audit entry;
 * then starts the journey workflow. When the workflow cannot start, the rows are removed again,
 * so a failed enrolment leaves nothing behind but its audit entries. `conflict` when the patient is already enrolled.
 */
export async function enrollPatient(deps: EnrollDeps, request: EnrollPatientRequest, audit: EnrollmentAuditHooks): Promise<EnrollPatientResult> {
  checkEnrollmentAnchors(request.pathway, request.anchors, new Date().toISOString());
  checkEnrollmentVariables(request.pathway, request.variables ?? {});
  const givenAt = Date.parse(request.consent.givenAt);
  if (!(givenAt <= Date.now() + CONSENT_CLOCK_SKEW_MS)) {
    throw new CarepathError('invalid-input', `consent.givenAt ${request.consent.givenAt} is in the future: consent is recorded once it was given`);
  }
  const enrollmentId = randomUUID();
  let start: StartJourneyRequest | undefined;
  const result = await deps.db.transaction().execute(async (trx) => {
    const { patientRef, created } = await registerPatient(trx, deps.vault, request.patient, {
      tenant: request.tenant,
      createdBy: request.actor,
      revealRef: request.revealRef,
    });
    start = {
      enrollmentId,
      patientRef,
      tenant: request.tenant,
      butlerId: request.butlerId,
      pathway: request.pathway,
      anchors: request.anchors,
      ...(request.variables ? { variables: request.variables } : {}),
      enrolledAt: new Date().toISOString(),
    };
    await insertEnrollmentRow(trx, start);
    await upsertEnrollmentAnchors(trx, enrollmentId, request.anchors, 'given');
    await insertConsent(trx, {
      id: randomUUID(),
      patientRef,
      enrollmentId,
      scope: request.consent.scope,
      givenAt: request.consent.givenAt,
      recordedBy: request.consent.recordedBy,
      method: request.consent.method ?? null,
      documentRef: request.consent.documentRef ?? null,
    });
    const recorded = { enrollmentId, patientRef, workflowId: journeyWorkflowId(request.tenant, request.pathway.id, patientRef), newPatient: created };
    await audit.recorded(trx, recorded);
    return recorded;
  });
  try {
    await startJourneyWorkflow(deps.client, deps.taskQueue, start!);
  } catch (err) {
    await deps.db.transaction().execute(async (trx) => {
      await trx.deleteFrom('consents').where('enrollment_id', '=', enrollmentId).execute();
      await trx.deleteFrom('enrollment_anchors').where('enrollment_id', '=', enrollmentId).execute();
      await trx.deleteFrom('enrollments').where('id', '=', enrollmentId).execute();
      if (result.newPatient) await deletePatientIfUnused(trx, result.patientRef);
      await audit.rolledBack(trx, result, (err as Error).message?.split('\n')[0] ?? String(err));
    });
    throw err;
  }
  return result;
}
