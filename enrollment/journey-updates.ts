import { WorkflowNotFoundError, WorkflowUpdateFailedError, type Client } from '@temporalio/client';
import type { UpdateDefinition } from '@temporalio/common';
import { CarepathError } from '../errors/carepath-error.ts';
import type { Enrollment } from '../db/repositories/enrollments.ts';

/**
 * Runs one of the journey's updates and waits for its result. A validator's rejection becomes
 * `invalid-input` (422) with the validator's reason; a journey that no longer runs, `conflict`.
 */
export async function updateJourney<Ret, Arg>(client: Client, enrollment: Enrollment, update: UpdateDefinition<Ret, [Arg]>, arg: Arg): Promise<Ret> {
  if (enrollment.status !== 'active') throw notRunning(enrollment);
  try {
    return await client.workflow.getHandle(enrollment.workflow_id).executeUpdate(update, { args: [arg] });
  } catch (err) {
    if (err instanceof WorkflowUpdateFailedError) {
      const reason = err.cause?.message ?? err.message;
      throw new CarepathError('invalid-input', reason, { update: update.name });
    }
    if (err instanceof WorkflowNotFoundError || /already completed/i.test((err as Error).message ?? '')) throw notRunning(enrollment);
    throw err;
  }
}

function notRunning(enrollment: Enrollment): CarepathError {
  return new CarepathError('conflict', `the journey of enrolment ${enrollment.id} is not running (status ${enrollment.status})`);
}
