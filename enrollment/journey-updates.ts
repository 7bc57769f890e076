import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';
import { CarepathError } from '../errors/carepath-error.ts';
import type { Enrollment } from '../db/repositories/enrollments.ts';

/** The journey's priority while it handles an input that may set off urgent work (1 of 5), and after it (3, the default). */
const URGENT_PRIORITY_KEY = 1;
const ROUTINE_PRIORITY_KEY = 3;

/**
 * Runs one of the journey's updates and waits for its result. A validator's rejection becomes
 * `invalid-input` (422) with the validator's reason; a journey that no longer runs, `conflict`.
 *
 * With `urgent` (the input may set off urgent work: pathway/model/urgent-inputs.ts) the journey
 * is ranked ahead of routine work for the update: the workflow task that handles it, and the
 * activities it schedules, leave the task queue's backlog first — in a morning burst an
 * emergency does not wait behind thousands of reminders. The ranking is the workflow's priority
 * (the only one a workflow task has), raised for the update and set back after it; if this
 * process dies in between, the journey merely stays ranked first.
 */
export async function updateJourney<Ret, Arg>(
  client: Client,
  enrollment: Enrollment,
  update: UpdateDefinition<Ret, [Arg]>,
  arg: Arg,
  options: { urgent?: boolean } = {},
): Promise<Ret> {
  if (enrollment.status !== 'active') throw notRunning(enrollment);
  const ranked = options.urgent === true && (await setPriority(client, enrollment.workflow_id, URGENT_PRIORITY_KEY));
  try {
    return await client.workflow.getHandle(enrollment.workflow_id).executeUpdate(update, { args: [arg] });
  } catch (err) {
    if (err instanceof WorkflowUpdateFailedError) {
      const reason = err.cause?.message ?? err.message;
      throw new CarepathError('invalid-input', reason, { update: update.name });
    }
    if (err instanceof WorkflowNotFoundError || /already completed/i.test((err as Error).message ?? '')) throw notRunning(enrollment);
    throw err;
  } finally {
    // Set back without holding up the answer: the update is done.
    if (ranked) void setPriority(client, enrollment.workflow_id, ROUTINE_PRIORITY_KEY);
  }
}

/**
 * Sets the journey workflow's priority key; false when the server refused (the update goes ahead
 * unranked). The server keeps a priority once set (an empty one changes nothing), so the way back
 * is the default's key itself.
 */
async function setPriority(client: Client, workflowId: string, priorityKey: number): Promise<boolean> {
  try {
    await client.workflowService.updateWorkflowExecutionOptions({
      namespace: client.options.namespace,
      workflowExecution: { workflowId },
      workflowExecutionOptions: { priority: { priorityKey } },
      updateMask: { paths: ['priority'] },
    });
    return true;
  } catch {
    return false;
  }
}

function notRunning(enrollment: Enrollment): CarepathError {
  return new CarepathError('conflict', `the journey of enrolment ${enrollment.id} is not running (status ${enrollment.status})`);
}
