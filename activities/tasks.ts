import { randomUUID } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import { closeTask, escalateTask, insertTaskOnce, type NewTask, type Task } from '../db/repositories/tasks.ts';
import type { ActivityDeps } from './deps.ts';

/** A task to put in the worklist; its id is chosen by the activity. */
export type CreateTaskInput = Omit<NewTask, 'id'>;

/** What a workflow keeps of a task: no titles or results, just what it needs to track it. */
export interface TaskRef {
  taskId: string;
  status: Task['status'];
  escalationLevel: number;
}

function ref(task: Task): TaskRef {
  return { taskId: task.id, status: task.status, escalationLevel: task.escalation_level };
}

export function createTaskActivities(deps: ActivityDeps) {
  return {
    /** Puts a task in the worklist once per occurrence; a retry returns the same task. */
    async createTask(input: CreateTaskInput): Promise<TaskRef> {
      const { task } = await insertTaskOnce(deps.db, { id: randomUUID(), ...input });
      return ref(task);
    },

    /** Moves an open task up its escalation chain (to a lead, a nurse, a doctor). */
    async escalateTask(input: { taskId: string; level: number; role: string; assignee: string | null }): Promise<TaskRef> {
      const task = await escalateTask(deps.db, input.taskId, input.level, input.role, input.assignee);
      if (!task) throw ApplicationFailure.nonRetryable(`no task ${input.taskId}`, 'TaskNotFound');
      return ref(task);
    },

    /** Closes a task (done with its result, or cancelled when the journey moved on). */
    async closeTask(input: { taskId: string; status: 'done' | 'cancelled'; by: string; result: unknown; at: string }): Promise<TaskRef> {
      const task = await closeTask(deps.db, input.taskId, input);
      if (!task) throw ApplicationFailure.nonRetryable(`no task ${input.taskId}`, 'TaskNotFound');
      return ref(task);
    },
  };
}
