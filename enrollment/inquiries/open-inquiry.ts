import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../../db/database.ts';
import type { Enrollment } from '../../db/repositories/enrollments.ts';
import { deleteInquiryWithTask, insertInquiry, type Inquiry } from '../../db/repositories/inquiries.ts';
import { insertTaskOnce } from '../../db/repositories/tasks.ts';
import type { InquiryInput } from '../../workflows/inquiry-definitions.ts';
import { inquiryWorkflowId } from '../../workflows/inquiry-definitions.ts';
import { INQUIRY_TASK_KIND } from '../complete-task.ts';
import { inquiryDeadline } from './inquiry-sla.ts';
import { inquiryKey } from '../../pathway/model/keys.ts';
import type { inquiryWorkflow } from '../../workflows/inquiry.ts';

/** Who an unanswered inquiry is escalated to: the butlers' lead. */
export const INQUIRY_ESCALATION_ROLE = 'coordinator';

export interface OpenInquiryRequest {
  enrollment: Enrollment;
  question: string;
  urgent: boolean;
  channel: string | null;
  askedAt: Date;
  createdBy: string;
}

export interface OpenInquiryDeps {
  db: Kysely<Database>;
  client: Client;
  taskQueue: string;
}

/**
 * Turns a patient's question into a response task for their butler, due by the response target,
 * and starts the inquiry workflow whose durable timer escalates it when missed. The rows and the
 * audit entry (`onRecorded`) commit together; a workflow that cannot start removes them again.
 */
export async function openInquiry(
  deps: OpenInquiryDeps,
  request: OpenInquiryRequest,
  onRecorded: (trx: Transaction<Database>, inquiry: Inquiry) => Promise<void>,
): Promise<Inquiry> {
  const id = randomUUID();
  const { dueAt, escalateAt } = inquiryDeadline(request.askedAt, request.urgent);
  const workflowId = inquiryWorkflowId(id);
  const inquiry = await deps.db.transaction().execute(async (trx) => {
    const { task } = await insertTaskOnce(trx, {
      id: randomUUID(),
      enrollmentId: request.enrollment.id,
      occurrenceKey: inquiryKey(id),
      stepId: 'inquiry',
      code: 'consultation',
      kind: INQUIRY_TASK_KIND,
      title: request.urgent ? '紧急咨询：立即回复患者' : '回复患者咨询',
      role: 'butler',
      assignee: request.enrollment.butler_id,
      urgent: request.urgent,
      dueAt: dueAt.toISOString(),
    });
    const stored = await insertInquiry(trx, {
      id,
      enrollmentId: request.enrollment.id,
      taskId: task.id,
      question: request.question,
      channel: request.channel,
      urgent: request.urgent,
      askedAt: request.askedAt.toISOString(),
      dueAt: dueAt.toISOString(),
      escalateAt: escalateAt.toISOString(),
      workflowId,
      createdBy: request.createdBy,
    });
    await onRecorded(trx, stored);
    return stored;
  });
  const input: InquiryInput = { inquiryId: id, taskId: inquiry.task_id, escalateAt: escalateAt.toISOString(), escalateTo: INQUIRY_ESCALATION_ROLE };
  try {
    await deps.client.workflow.start<typeof inquiryWorkflow>('inquiryWorkflow', { workflowId, taskQueue: deps.taskQueue, args: [input] });
  } catch (err) {
    await deps.db.transaction().execute((trx) => deleteInquiryWithTask(trx, id, inquiry.task_id));
    throw err;
  }
  return inquiry;
}
