import type { Client } from '@temporalio/client';
import type { Kysely, Transaction } from 'kysely';
import { CarepathError } from '../errors/carepath-error.ts';
import type { Database } from '../db/database.ts';
import { findEnrollment } from '../db/repositories/enrollments.ts';
import { findInquiryByTask, markInquiryAnswered, type Inquiry } from '../db/repositories/inquiries.ts';
import { closeOpenTask, type WorklistTask } from '../db/repositories/worklist.ts';
import type { DataValue } from '../pathway/planner/index.ts';
import { completeStepUpdate } from '../workflows/journey-definitions.ts';
import { inquiryAnsweredSignal, inquiryReplyWorkflowId, inquiryWorkflowId, type InquiryReplyInput } from '../workflows/inquiry-definitions.ts';
import type { inquiryReplyWorkflow } from '../workflows/inquiry-reply.ts';
import { inquiryReplyOf, replyChannels } from './inquiries/inquiry-reply.ts';
import { updateJourney } from './journey-updates.ts';
import { stepIdOfOccurrence } from '../pathway/model/keys.ts';

/** Kind of the response task of a patient inquiry. */
export const INQUIRY_TASK_KIND = 'inquiry-response';

/** How a task is closed: through its journey, or directly when no journey step stands behind it. */
export type TaskCompletionPath = 'journey' | 'inquiry' | 'direct';

/**
 * Journey steps complete through the journey's `completeStep` update (which validates the data;
 * the task is closed here and by the journey, whichever is first); inquiry answers close the
 * task, stop the inquiry's timer and send the reply to the patient; follow-up
 * tasks a journey created outside its steps (a message handed over, a phone call to make) close
 * in the database.
 */
export function completionPath(task: Pick<WorklistTask, 'kind' | 'occurrence_key'>): TaskCompletionPath {
  if (task.kind === INQUIRY_TASK_KIND) return 'inquiry';
  return stepIdOfOccurrence(task.occurrence_key) ? 'journey' : 'direct';
}

export interface CompleteTaskDeps {
  db: Kysely<Database>;
  client: Client;
  /** Where the reply workflow of an answered inquiry runs. */
  taskQueue: string;
}

/**
 * Completes an open task with the data it produced; `onClosed` runs in the transaction that
 * closes it in the database (the audit entry). `conflict` when the task is no longer open.
 */
export async function completeTask(
  deps: CompleteTaskDeps,
  task: WorklistTask,
  request: { data: Record<string, DataValue>; by: string },
  onClosed: (trx: Transaction<Database>) => Promise<void>,
): Promise<void> {
  if (task.status !== 'open') throw new CarepathError('conflict', `task ${task.id} is already ${task.status}`);
  const at = new Date().toISOString();
  switch (completionPath(task)) {
    case 'journey': {
      const enrollment = (await findEnrollment(deps.db, task.enrollment_id))!;
      await updateJourney(deps.client, enrollment, completeStepUpdate, { key: task.occurrence_key, data: request.data, by: request.by });
      // The journey accepted the completion and closes the task in its next round; close it here
      // too, so that the answer already shows it done (whichever comes second changes nothing).
      await deps.db.transaction().execute(async (trx) => {
        await closeOpenTask(trx, task.id, { by: request.by, result: request.data, at });
        await onClosed(trx);
      });
      return;
    }
    case 'inquiry': {
      const inquiry = await findInquiryByTask(deps.db, task.id);
      const reply = inquiry ? inquiryReplyOf(request.data, inquiry.channel) : null;
      await deps.db.transaction().execute(async (trx) => {
        await closeTaskOrConflict(trx, task.id, request, at);
        if (inquiry) await markInquiryAnswered(trx, inquiry.id, { by: request.by, at, ...reply! });
        await onClosed(trx);
        // Started before the commit: an answer is recorded only with its reply on its way. The
        // workflow's first attempt may read before the commit, and retries.
        if (inquiry && reply!.via === 'message') await startReply(deps, inquiry);
      });
      if (inquiry) await signalAnswered(deps.client, inquiry.id);
      return;
    }
    case 'direct':
      await deps.db.transaction().execute(async (trx) => {
        await closeTaskOrConflict(trx, task.id, request, at);
        await onClosed(trx);
      });
  }
}

async function closeTaskOrConflict(
  trx: Transaction<Database>,
  id: string,
  request: { data: Record<string, DataValue>; by: string },
  at: string,
): Promise<void> {
  if (!(await closeOpenTask(trx, id, { by: request.by, result: request.data, at }))) {
    throw new CarepathError('conflict', `task ${id} was closed by someone else meanwhile`);
  }
}

/** Starts the reply workflow of an answered inquiry (one per inquiry: a second start finds it and changes nothing). */
async function startReply(deps: CompleteTaskDeps, inquiry: Inquiry): Promise<void> {
  const input: InquiryReplyInput = { inquiryId: inquiry.id, channels: replyChannels(inquiry.channel) };
  await deps.client.workflow.start<typeof inquiryReplyWorkflow>('inquiryReplyWorkflow', {
    workflowId: inquiryReplyWorkflowId(inquiry.id),
    taskQueue: deps.taskQueue,
    args: [input],
    workflowIdConflictPolicy: 'USE_EXISTING',
  });
}

/**
 * Stops the inquiry's escalation timer. Best effort: a workflow that already escalated has ended,
 * and one that misses the signal finds the task closed when its timer fires and does nothing.
 */
async function signalAnswered(client: Client, inquiryId: string): Promise<void> {
  await client.workflow
    .getHandle(inquiryWorkflowId(inquiryId))
    .signal(inquiryAnsweredSignal)
    .catch(() => undefined);
}
