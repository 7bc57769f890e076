import type { Kysely, Transaction } from 'kysely';
import type { Database, TaskStatus } from '../database.ts';
import type { Task } from './tasks.ts';

type Db = Kysely<Database> | Transaction<Database>;

/** A task with what the worklist shows of its enrolment (pseudonymous only). */
export type WorklistTask = Task & {
  patient_ref: string;
  pathway_id: string;
  pathway_version: string;
  workflow_id: string;
  enrolled_at: Date;
  enrollment_butler_id: string | null;
};

export interface WorklistFilter {
  assignee?: string;
  status?: TaskStatus;
  dueBefore?: string;
  role?: string;
  enrollmentId?: string;
  kind?: string;
  /** Urgent tasks first (then soonest due). */
  urgentFirst?: boolean;
  /** Restricts to what one butler may see: tasks assigned to them, and unassigned butler tasks of their patients. */
  visibleToButler?: string;
  limit: number;
  offset: number;
}

const taskColumns = [
  'tasks.id',
  'tasks.enrollment_id',
  'tasks.occurrence_key',
  'tasks.step_id',
  'tasks.code',
  'tasks.kind',
  'tasks.title',
  'tasks.role',
  'tasks.assignee',
  'tasks.status',
  'tasks.urgent',
  'tasks.call',
  'tasks.escalation_level',
  'tasks.due_at',
  'tasks.created_at',
  'tasks.completed_at',
  'tasks.completed_by',
  'tasks.result',
] as const;

function worklistQuery(db: Db) {
  return db
    .selectFrom('tasks')
    .innerJoin('enrollments', 'enrollments.id', 'tasks.enrollment_id')
    .select([
      ...taskColumns,
      'enrollments.patient_ref',
      'enrollments.pathway_id',
      'enrollments.pathway_version',
      'enrollments.workflow_id',
      'enrollments.created_at as enrolled_at',
      'enrollments.butler_id as enrollment_butler_id',
    ]);
}

/** Tasks matching the filter, soonest due first (tasks without a due time last). */
export function listWorklist(db: Db, filter: WorklistFilter): Promise<WorklistTask[]> {
  let query = worklistQuery(db);
  if (filter.assignee !== undefined) query = query.where('tasks.assignee', '=', filter.assignee);
  if (filter.status !== undefined) query = query.where('tasks.status', '=', filter.status);
  if (filter.dueBefore !== undefined) query = query.where('tasks.due_at', '<', new Date(filter.dueBefore));
  if (filter.role !== undefined) query = query.where('tasks.role', '=', filter.role);
  if (filter.enrollmentId !== undefined) query = query.where('tasks.enrollment_id', '=', filter.enrollmentId);
  if (filter.kind !== undefined) query = query.where('tasks.kind', '=', filter.kind);
  if (filter.urgentFirst) query = query.orderBy('tasks.urgent', 'desc');
  if (filter.visibleToButler !== undefined) {
    const butler = filter.visibleToButler;
    query = query.where((eb) =>
      eb.or([
        eb('tasks.assignee', '=', butler),
        eb.and([eb('tasks.assignee', 'is', null), eb('tasks.role', '=', 'butler'), eb('enrollments.butler_id', '=', butler)]),
      ]),
    );
  }
  return query
    .orderBy((eb) => eb.case().when('tasks.due_at', 'is', null).then(1).else(0).end())
    .orderBy('tasks.due_at')
    .orderBy('tasks.created_at')
    .orderBy('tasks.id')
    .limit(filter.limit)
    .offset(filter.offset)
    .execute() as Promise<WorklistTask[]>;
}

/** One task with its enrolment's pseudonymous reference, or undefined. */
export function findWorklistTask(db: Db, id: string): Promise<WorklistTask | undefined> {
  return worklistQuery(db).where('tasks.id', '=', id).executeTakeFirst() as Promise<WorklistTask | undefined>;
}

/** Whether a butler may see and work this task (see `visibleToButler`). */
export function isVisibleToButler(task: WorklistTask, butlerId: string): boolean {
  if (task.assignee !== null) return task.assignee === butlerId;
  return task.role === 'butler' && task.enrollment_butler_id === butlerId;
}

/** Hands an open task to another person (and role); returns whether it was open. */
export async function reassignTask(db: Db, id: string, assignee: string, role: string | undefined): Promise<boolean> {
  const result = await db
    .updateTable('tasks')
    .set({ assignee, ...(role ? { role } : {}) })
    .where('id', '=', id)
    .where('status', '=', 'open')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}

/** Closes an open task as done; returns false when it was no longer open (someone else closed it). */
export async function closeOpenTask(db: Db, id: string, close: { by: string; result: unknown; at: string }): Promise<boolean> {
  const result = await db
    .updateTable('tasks')
    .set({ status: 'done', completed_by: close.by, completed_at: close.at, result: JSON.stringify(close.result ?? null) })
    .where('id', '=', id)
    .where('status', '=', 'open')
    .executeTakeFirst();
  return Number(result.numUpdatedRows) > 0;
}
