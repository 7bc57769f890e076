import type { Kysely, Selectable, Transaction } from 'kysely';
import type { Database, InquiriesTable } from '../database.ts';

type Db = Kysely<Database> | Transaction<Database>;
export type Inquiry = Selectable<InquiriesTable>;

export interface NewInquiry {
  id: string;
  enrollmentId: string;
  taskId: string;
  question: string;
  channel: string | null;
  urgent: boolean;
  askedAt: string;
  dueAt: string;
  escalateAt: string;
  workflowId: string;
  createdBy: string;
}

/** Records an inquiry (its response task must exist). */
export async function insertInquiry(db: Db, inquiry: NewInquiry): Promise<Inquiry> {
  return db
    .insertInto('inquiries')
    .values({
      id: inquiry.id,
      enrollment_id: inquiry.enrollmentId,
      task_id: inquiry.taskId,
      question: inquiry.question,
      channel: inquiry.channel,
      urgent: inquiry.urgent,
      asked_at: inquiry.askedAt,
      due_at: inquiry.dueAt,
      escalate_at: inquiry.escalateAt,
      workflow_id: inquiry.workflowId,
      created_by: inquiry.createdBy,
    })
    .returningAll()
    .executeTakeFirstOrThrow();
}

/** The inquiry, or undefined. */
export function findInquiry(db: Db, id: string): Promise<Inquiry | undefined> {
  return db.selectFrom('inquiries').selectAll().where('id', '=', id).executeTakeFirst();
}

/** The inquiry a response task answers, or undefined. */
export function findInquiryByTask(db: Db, taskId: string): Promise<Inquiry | undefined> {
  return db.selectFrom('inquiries').selectAll().where('task_id', '=', taskId).executeTakeFirst();
}

/** Marks an inquiry answered with its reply (the first answer counts). */
export async function markInquiryAnswered(
  db: Db,
  id: string,
  answer: { by: string; at: string; reply: string; via: NonNullable<Inquiry['reply_via']> },
): Promise<void> {
  await db
    .updateTable('inquiries')
    .set({ answered_at: answer.at, answered_by: answer.by, reply: answer.reply, reply_via: answer.via })
    .where('id', '=', id)
    .where('answered_at', 'is', null)
    .execute();
}

/** Deletes an inquiry and its response task (compensation when its workflow could not start). */
export async function deleteInquiryWithTask(db: Db, id: string, taskId: string): Promise<void> {
  await db.deleteFrom('inquiries').where('id', '=', id).execute();
  await db.deleteFrom('tasks').where('id', '=', taskId).execute();
}

/** The latest unanswered inquiry of these enrolments, or undefined. */
export function findOpenInquiry(db: Db, enrollmentIds: readonly string[]): Promise<Inquiry | undefined> {
  if (enrollmentIds.length === 0) return Promise.resolve(undefined);
  return db
    .selectFrom('inquiries')
    .selectAll()
    .where('enrollment_id', 'in', enrollmentIds)
    .where('answered_at', 'is', null)
    .orderBy('asked_at', 'desc')
    .executeTakeFirst();
}
