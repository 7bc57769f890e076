import type { Kysely, Selectable, Transaction } from 'kysely';
import type { Database, TasksTable } from '../database.ts';

type Db = Kysely<Database> | Transaction<Database>;
export type Task = Selectable<TasksTable>;

export interface NewTask {
  id: string;
  enrollmentId: string;
  occurrenceKey: string;
  stepId: string;
  code: string | null;
  kind: string;
  title: string;
  role: string;
  assignee: string | null;
  urgent: boolean;
  /** A phone call to make; absent in inputs recorded before calls were tasks of their own kind. */
  call?: boolean;
  dueAt: string | null;
}

/** Inserts the task unless one exists for the same enrolment and occurrence; returns the stored task either way. */
export async function insertTaskOnce(db: Db, task: NewTask): Promise<{ task: Task; created: boolean }> {
  const inserted = await db
    .insertInto('tasks')
    .values({
      id: task.id,
      enrollment_id: task.enrollmentId,
      occurrence_key: task.occurrenceKey,
      step_id: task.stepId,
      code: task.code,
      kind: task.kind,
      title: task.title,
      role: task.role,
      assignee: task.assignee,
      urgent: task.urgent,
      call: task.call ?? false,
      due_at: task.dueAt,
    })
    .onConflict((oc) => oc.columns(['enrollment_id', 'occurrence_key']).doNothing())
    .returningAll()
    .executeTakeFirst();
  if (inserted) return { task: inserted, created: true };
  const existing = await db
    .selectFrom('tasks')
    .selectAll()
    .where('enrollment_id', '=', task.enrollmentId)
    .where('occurrence_key', '=', task.occurrenceKey)
    .executeTakeFirstOrThrow();
  return { task: existing, created: false };
}

/** The task, or undefined. */
export function findTask(db: Db, id: string): Promise<Task | undefined> {
  return db.selectFrom('tasks').selectAll().where('id', '=', id).executeTakeFirst();
}

/**
 * Raises an open task to the given escalation level and role. Only moves forward: re-running
 * the same escalation (an activity retry) changes nothing. Returns the task after the update.
 */
export async function escalateTask(db: Db, id: string, level: number, role: string, assignee: string | null, call = false): Promise<Task | undefined> {
  await db
    .updateTable('tasks')
    .set({ escalation_level: level, role, assignee, urgent: true, ...(call ? { call: true } : {}) })
    .where('id', '=', id)
    .where('status', '=', 'open')
    .where('escalation_level', '<', level)
    .execute();
  return findTask(db, id);
}

/** Closes an open task as done or cancelled; a task already closed stays as it was. */
export async function closeTask(
  db: Db,
  id: string,
  close: { status: 'done' | 'cancelled'; by: string; result: unknown; at: string },
): Promise<Task | undefined> {
  await db
    .updateTable('tasks')
    .set({ status: close.status, completed_by: close.by, completed_at: close.at, result: close.result === undefined ? null : JSON.stringify(close.result) })
    .where('id', '=', id)
    .where('status', '=', 'open')
    .execute();
  return findTask(db, id);
}
