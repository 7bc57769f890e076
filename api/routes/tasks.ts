import type { FastifyPluginAsync, FastifyRequest } from 'fastify';
import { CarepathError } from '../../errors/carepath-error.ts';
import type { TaskStatus } from '../../db/database.ts';
import { findWorklistTask, isVisibleToButler, listWorklist, reassignTask, type WorklistTask } from '../../db/repositories/worklist.ts';
import { isActiveButler } from '../../db/repositories/api-clients.ts';
import { completeTask, INQUIRY_TASK_KIND } from '../../enrollment/complete-task.ts';
import { findInquiryByTask } from '../../db/repositories/inquiries.ts';
import type { DataValue } from '../../pathway/planner/index.ts';
import { audit } from '../audit/audit.ts';
import { actorId, may, PERMISSIONS, principalOf } from '../auth/index.ts';
import { bearer, errorResponses, idParams, isoDateTime, pageQuery } from '../schemas/common.ts';
import { completeTaskBody, reassignTaskBody, taskDetailSchema, taskListItemSchema, taskSchema } from '../schemas/tasks.ts';
import { taskForm } from '../../enrollment/task-form.ts';
import { pathwaysOfTasks, patientsOfTasks } from './task-context.ts';
import type { RouteContext } from './context.ts';

interface WorklistQuery {
  assignee?: string;
  status?: TaskStatus;
  due_before?: string;
  role?: string;
  enrollment?: string;
  kind?: string;
  include?: 'patient';
  sort?: 'due' | 'urgent';
  limit: number;
  offset: number;
}

/**
 * A butler's handover (a shift change, leave): only a butler's task, only to another butler with an
 * active key, the role unchanged. Anything else (to a doctor, a nurse) is a coordinator's call.
 */
async function checkButlerHandover(task: WorklistTask, assignee: string, role: string | undefined, deps: RouteContext['deps']): Promise<void> {
  if (task.role !== 'butler' || (role !== undefined && role !== 'butler'))
    throw new CarepathError('forbidden', "a butler hands only butlers' tasks, to another butler; a coordinator hands tasks to other roles");
  if (!(await isActiveButler(deps.db, assignee)))
    throw new CarepathError('invalid-input', `no butler '${assignee}' has an active key: hand the task to a butler id in use`);
}

/** The worklist: list tasks, complete one with its data, hand one to someone else. */
export const taskRoutes: FastifyPluginAsync<RouteContext> = async (app, { deps, authorize }) => {
  app.get<{ Querystring: WorklistQuery }>(
    '/tasks',
    {
      onRequest: authorize('readTasks'),
      schema: {
        summary: 'The worklist, soonest due first; a butler sees the tasks of their own patients only',
        tags: ['tasks'],
        security: bearer,
        querystring: {
          type: 'object',
          additionalProperties: false,
          properties: {
            assignee: { type: 'string', maxLength: 64 },
            status: { type: 'string', enum: ['open', 'done', 'cancelled'] },
            due_before: isoDateTime,
            role: { type: 'string', maxLength: 32 },
            enrollment: { type: 'string', maxLength: 128 },
            kind: { type: 'string', maxLength: 32, description: 'task, approval, escalation, milestone, inquiry-response, …' },
            include: {
              type: 'string',
              enum: ['patient'],
              description: "patient: each task's patient (name, and gestational age or cycle day); for roles that read identities",
            },
            sort: { type: 'string', enum: ['due', 'urgent'], default: 'due', description: 'urgent: urgent tasks first, then soonest due' },
            ...pageQuery,
          },
        },
        response: {
          200: { type: 'object', properties: { items: { type: 'array', items: taskListItemSchema }, limit: { type: 'integer' }, offset: { type: 'integer' } } },
          ...errorResponses,
        },
      },
    },
    async (request) => {
      const principal = principalOf(request);
      const { assignee, status, due_before: dueBefore, role, enrollment, kind, include, sort, limit, offset } = request.query;
      if (principal.role === 'butler' && assignee !== undefined && assignee !== principal.butlerId) {
        throw new CarepathError('forbidden', 'a butler sees only their own worklist');
      }
      if (include === 'patient' && !may(principal, 'readIdentity')) {
        throw new CarepathError('forbidden', `role ${principal.role} may not read patients' names (include=patient)`, {
          requiredRoles: PERMISSIONS.readIdentity,
        });
      }
      const rows = await listWorklist(deps.db, {
        ...(assignee !== undefined ? { assignee } : {}),
        ...(status !== undefined ? { status } : {}),
        ...(dueBefore !== undefined ? { dueBefore } : {}),
        ...(role !== undefined ? { role } : {}),
        ...(enrollment !== undefined ? { enrollmentId: enrollment } : {}),
        ...(kind !== undefined ? { kind } : {}),
        ...(sort === 'urgent' ? { urgentFirst: true } : {}),
        ...(principal.role === 'butler' ? { visibleToButler: principal.butlerId ?? '\u0000none' } : {}),
        limit,
        offset,
      });
      await audit(
        deps.db,
        request,
        'task.list',
        { type: 'task', id: null },
        { filter: { assignee, status, dueBefore, role, enrollment, kind, limit, offset }, count: rows.length },
      );
      if (include !== 'patient') return { items: rows.map(taskView), limit, offset };
      const patients = await patientsOfTasks(deps, request, rows, await pathwaysOfTasks(deps, rows));
      return { items: rows.map((t) => ({ ...taskView(t), patient: patients.get(t.id) })), limit, offset };
    },
  );

  app.get<{ Params: { id: string } }>(
    '/tasks/:id',
    {
      onRequest: authorize('readTasks'),
      schema: {
        summary: 'One task with the form completing it takes and, for roles that read identities, its patient',
        tags: ['tasks'],
        security: bearer,
        params: idParams,
        response: { 200: taskDetailSchema, ...errorResponses },
      },
    },
    async (request) => {
      const task = await taskFor(request, request.params.id);
      const pathways = await pathwaysOfTasks(deps, [task]);
      await audit(deps.db, request, 'task.read', { type: 'task', id: task.id }, { enrollmentId: task.enrollment_id });
      const principal = principalOf(request);
      const patient = may(principal, 'readIdentity') ? (await patientsOfTasks(deps, request, [task], pathways)).get(task.id) : undefined;
      const inquiry = task.kind === INQUIRY_TASK_KIND && may(principal, 'readInquiry') ? await findInquiryByTask(deps.db, task.id) : undefined;
      if (inquiry) await audit(deps.db, request, 'inquiry.read', { type: 'inquiry', id: inquiry.id }, { enrollmentId: inquiry.enrollment_id });
      const pathway = pathways.get(`${task.pathway_id}@${task.pathway_version}`);
      return {
        ...taskView(task),
        form: taskForm(task, pathway),
        ...(pathway ? { timeZone: { name: pathway.timezone.name, offsetMinutes: pathway.timezone.offsetMinutes } } : {}),
        ...(patient ? { patient } : {}),
        ...(inquiry
          ? {
              inquiry: {
                id: inquiry.id,
                question: inquiry.question,
                channel: inquiry.channel,
                askedAt: inquiry.asked_at.toISOString(),
                urgent: inquiry.urgent,
              },
            }
          : {}),
      };
    },
  );

  app.post<{ Params: { id: string }; Body: { data?: Record<string, DataValue> } }>(
    '/tasks/:id/complete',
    {
      onRequest: authorize('completeTask'),
      schema: {
        summary: 'Complete a task with the data its step produces; the journey then plans the next steps. Approvals: doctors only',
        tags: ['tasks'],
        security: bearer,
        params: idParams,
        body: completeTaskBody,
        response: { 200: taskSchema, ...errorResponses },
      },
    },
    async (request) => {
      const task = await taskFor(request, request.params.id);
      const principal = principalOf(request);
      if (task.kind === 'approval' && !may(principal, 'approve')) {
        throw new CarepathError('forbidden', 'only a doctor approves', { requiredRoles: PERMISSIONS.approve });
      }
      const data = request.body?.data ?? {};
      await completeTask({ db: deps.db, client: deps.temporal.client, taskQueue: deps.temporal.taskQueue }, task, { data, by: actorId(principal) }, (trx) =>
        audit(trx, request, 'task.complete', { type: 'task', id: task.id }, { enrollmentId: task.enrollment_id, step: task.step_id, kind: task.kind }),
      );
      return taskView((await findWorklistTask(deps.db, task.id))!);
    },
  );

  app.post<{ Params: { id: string }; Body: { assignee: string; role?: string } }>(
    '/tasks/:id/reassign',
    {
      onRequest: authorize('reassignTask'),
      schema: {
        summary: 'Hand an open task to another person (and role); a butler hands a butler task of their own patients to another butler',
        tags: ['tasks'],
        security: bearer,
        params: idParams,
        body: reassignTaskBody,
        response: { 200: taskSchema, ...errorResponses },
      },
    },
    async (request) => {
      const task = await taskFor(request, request.params.id);
      const { assignee, role } = request.body;
      if (principalOf(request).role === 'butler') await checkButlerHandover(task, assignee, role, deps);
      await deps.db.transaction().execute(async (trx) => {
        if (!(await reassignTask(trx, task.id, assignee, role))) throw new CarepathError('conflict', `task ${task.id} is already ${task.status}`);
        await audit(trx, request, 'task.reassign', { type: 'task', id: task.id }, { from: task.assignee, to: assignee, role: role ?? task.role });
      });
      return taskView((await findWorklistTask(deps.db, task.id))!);
    },
  );

  /** The task, if the caller may work it: 404 when unknown, 403 for a butler when it is not theirs. */
  async function taskFor(request: FastifyRequest, id: string): Promise<WorklistTask> {
    const task = await findWorklistTask(deps.db, id);
    if (!task) throw new CarepathError('not-found', `no task ${id}`);
    const principal = principalOf(request);
    if (principal.role === 'butler' && !isVisibleToButler(task, principal.butlerId ?? '')) {
      throw new CarepathError('forbidden', 'this task is not in your worklist');
    }
    return task;
  }
};

/** A task as the API shows it (pseudonymous). */
export function taskView(t: WorklistTask) {
  return {
    id: t.id,
    enrollmentId: t.enrollment_id,
    patientRef: t.patient_ref,
    program: t.pathway_id,
    occurrenceKey: t.occurrence_key,
    stepId: t.step_id,
    code: t.code,
    kind: t.kind,
    title: t.title,
    role: t.role,
    assignee: t.assignee,
    status: t.status,
    urgent: t.urgent,
    call: t.call,
    escalationLevel: t.escalation_level,
    dueAt: t.due_at?.toISOString() ?? null,
    createdAt: t.created_at.toISOString(),
    completedAt: t.completed_at?.toISOString() ?? null,
    completedBy: t.completed_by,
    result: (t.result ?? null) as Record<string, unknown> | null,
  };
}
