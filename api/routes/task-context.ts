// What the worklist shows beside a task for care staff: the patient's name and where she is in
// her program (gestational age, cycle day), and the form completing the task takes.
import type { FastifyRequest } from 'fastify';
import { listEnrollmentAnchors, syncEnrollmentAnchors, type RecordedAnchors } from '../../db/repositories/enrollment-anchors.ts';
import { findPathwayVersion } from '../../db/repositories/pathway-versions.ts';
import { findPatients } from '../../db/repositories/patients.ts';
import type { WorklistTask } from '../../db/repositories/worklist.ts';
import { patientAge, recordedAnchorsOfJourney, type PatientAge } from '../../enrollment/patient-context.ts';
import { journeyViewQuery } from '../../workflows/journey-definitions.ts';
import type { CompiledPathway } from '../../pathway/planner/index.ts';
import { audit } from '../audit/audit.ts';
import type { RouteContext } from './context.ts';
import { vaultOf } from './context.ts';

/** The patient as a worklist line shows her: the name (null when it cannot be decrypted) and her age in the program. */
export interface TaskPatient {
  name: string | null;
  age: PatientAge | null;
}

type Deps = RouteContext['deps'];

/** The pathway versions the tasks' journeys run, by `id@version` (the offered ones from memory, older ones from the database). */
export async function pathwaysOfTasks(deps: Deps, tasks: readonly WorklistTask[]): Promise<Map<string, CompiledPathway | undefined>> {
  const out = new Map<string, CompiledPathway | undefined>();
  for (const t of tasks) {
    const key = `${t.pathway_id}@${t.pathway_version}`;
    if (out.has(key)) continue;
    const offered = deps.pathways.get(t.pathway_id);
    out.set(key, offered?.version === t.pathway_version ? offered : await findPathwayVersion(deps.db, t.pathway_id, t.pathway_version));
  }
  return out;
}

/** The patients of these tasks, by task id; one audit entry names every patient whose name was read. */
export async function patientsOfTasks(
  deps: Deps,
  request: FastifyRequest,
  tasks: readonly WorklistTask[],
  pathways: Map<string, CompiledPathway | undefined>,
  now = new Date(),
): Promise<Map<string, TaskPatient>> {
  const refs = [...new Set(tasks.map((t) => t.patient_ref))];
  const [names, anchors] = await Promise.all([
    patientNames(deps, refs),
    listEnrollmentAnchors(
      deps.db,
      tasks.map((t) => t.enrollment_id),
    ),
  ]);
  for (const [id, recorded] of await anchorsFromJourneys(deps, request, tasks, anchors, pathways)) anchors.set(id, recorded);
  if (refs.length) await audit(deps.db, request, 'patient.name.read', { type: 'patient', id: null }, { patientRefs: refs, purpose: 'worklist' });
  const out = new Map<string, TaskPatient>();
  for (const t of tasks) {
    const pathway = pathways.get(`${t.pathway_id}@${t.pathway_version}`);
    const age = pathway ? patientAge(pathway, anchors.get(t.enrollment_id), t.enrolled_at, now) : undefined;
    out.set(t.id, { name: names.get(t.patient_ref) ?? null, age: age ?? null });
  }
  return out;
}

const JOURNEY_QUERY_TIMEOUT_MS = 3_000;

/**
 * The anchors of enrolments with none recorded (enrolled before the rows existed), asked of their
 * journeys and recorded, so each is asked once. A journey that does not answer shows no age.
 */
async function anchorsFromJourneys(
  deps: Deps,
  request: FastifyRequest,
  tasks: readonly WorklistTask[],
  recorded: Map<string, RecordedAnchors>,
  pathways: Map<string, CompiledPathway | undefined>,
): Promise<Map<string, RecordedAnchors>> {
  const missing = new Map<string, WorklistTask>();
  for (const t of tasks)
    if (!recorded.has(t.enrollment_id) && pathways.get(`${t.pathway_id}@${t.pathway_version}`)?.ageDisplay) missing.set(t.enrollment_id, t);
  const found = new Map<string, RecordedAnchors>();
  await Promise.all(
    [...missing.values()].map(async (t) => {
      try {
        const handle = deps.temporal.client.workflow.getHandle(t.workflow_id);
        const view = await deps.temporal.connection.withDeadline(Date.now() + JOURNEY_QUERY_TIMEOUT_MS, () => handle.query(journeyViewQuery));
        const anchors = recordedAnchorsOfJourney(pathways.get(`${t.pathway_id}@${t.pathway_version}`), view);
        await syncEnrollmentAnchors(deps.db, t.enrollment_id, anchors);
        found.set(t.enrollment_id, anchors);
      } catch (err) {
        request.log.warn({ enrollmentId: t.enrollment_id, err: (err as Error).message }, 'worklist: no anchors recorded and the journey did not answer');
      }
    }),
  );
  return found;
}

/** The names of these patients (null for one whose identity does not decrypt with the configured keys). Not audited: the caller audits the read. */
export async function patientNames(deps: Deps, refs: readonly string[]): Promise<Map<string, string | null>> {
  const vault = vaultOf(deps);
  const names = new Map<string, string | null>();
  for (const p of await findPatients(deps.db, refs)) {
    try {
      names.set(p.patient_ref, vault.decrypt(p.patient_ref, p.identity_ciphertext, p.identity_key_id).name);
    } catch {
      names.set(p.patient_ref, null);
    }
  }
  return names;
}
