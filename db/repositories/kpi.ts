import { sql, type Kysely } from 'kysely';
import type { Database } from '../database.ts';

/**
 * The raw rows behind the KPI report, each with the enrolment's pathway and butler so that the
 * report can group them. Periods are half-open: `from` ≤ t < `to`.
 */
export interface KpiPeriod {
  from: Date;
  to: Date;
  /** Pathway id or program family; all when absent. */
  program?: string;
}

function enrollmentsIn(db: Kysely<Database>, period: KpiPeriod) {
  let query = db.selectFrom('enrollments').select(['enrollments.id']);
  if (period.program !== undefined) {
    const program = period.program;
    query = query.where((eb) => eb.or([eb('enrollments.pathway_id', '=', program), eb('enrollments.program', '=', program)]));
  }
  return query;
}

/** Completed tasks that booked an appointment (`appointment_at` in their result) before `to`. */
export function bookedAppointments(db: Kysely<Database>, period: KpiPeriod) {
  return db
    .selectFrom('tasks')
    .innerJoin('enrollments', 'enrollments.id', 'tasks.enrollment_id')
    .select(['tasks.enrollment_id', 'tasks.occurrence_key', 'tasks.step_id', 'enrollments.pathway_id', 'enrollments.pathway_version', 'enrollments.butler_id'])
    .select(sql<string>`tasks.result->>'appointment_at'`.as('appointment_at'))
    .where('tasks.status', '=', 'done')
    .where(sql<boolean>`tasks.result->>'appointment_at' is not null`)
    .where('tasks.completed_at', '<', period.to)
    .where('tasks.enrollment_id', 'in', enrollmentsIn(db, period))
    .execute();
}

/** Messages sent for these enrolments from these steps. */
export async function sentMessages(db: Kysely<Database>, enrollmentIds: string[], stepIds: string[]) {
  if (enrollmentIds.length === 0 || stepIds.length === 0) return [];
  return db
    .selectFrom('outbox_messages')
    .select(['enrollment_id', 'step_id', 'idempotency_key', 'sent_at'])
    .where('status', '=', 'sent')
    .where('enrollment_id', 'in', enrollmentIds)
    .where('step_id', 'in', stepIds)
    .execute();
}

/** Tasks due in the period (not cancelled), except inquiry answers, which have their own figure. */
export function tasksDue(db: Kysely<Database>, period: KpiPeriod) {
  return db
    .selectFrom('tasks')
    .innerJoin('enrollments', 'enrollments.id', 'tasks.enrollment_id')
    .select([
      'tasks.id',
      'tasks.code',
      'tasks.status',
      'tasks.due_at',
      'tasks.completed_at',
      'enrollments.pathway_id',
      'enrollments.pathway_version',
      'enrollments.butler_id',
    ])
    .where('tasks.due_at', '>=', period.from)
    .where('tasks.due_at', '<', period.to)
    .where('tasks.status', '!=', 'cancelled')
    .where('tasks.kind', '!=', 'inquiry-response')
    .where('tasks.enrollment_id', 'in', enrollmentsIn(db, period))
    .execute();
}

/** Tasks with one of these codes created in the period (not cancelled). */
export function tasksWithCodesCreated(db: Kysely<Database>, period: KpiPeriod, codes: readonly string[]) {
  return db
    .selectFrom('tasks')
    .innerJoin('enrollments', 'enrollments.id', 'tasks.enrollment_id')
    .select(['tasks.id', 'tasks.status', 'enrollments.pathway_id', 'enrollments.pathway_version', 'enrollments.butler_id'])
    .where('tasks.code', 'in', [...codes])
    .where('tasks.created_at', '>=', period.from)
    .where('tasks.created_at', '<', period.to)
    .where('tasks.status', '!=', 'cancelled')
    .where('tasks.enrollment_id', 'in', enrollmentsIn(db, period))
    .execute();
}

/** Inquiries asked in the period. */
export function inquiriesAsked(db: Kysely<Database>, period: KpiPeriod) {
  return db
    .selectFrom('inquiries')
    .innerJoin('enrollments', 'enrollments.id', 'inquiries.enrollment_id')
    .select([
      'inquiries.id',
      'inquiries.asked_at',
      'inquiries.due_at',
      'inquiries.answered_at',
      'enrollments.pathway_id',
      'enrollments.pathway_version',
      'enrollments.butler_id',
    ])
    .where('inquiries.asked_at', '>=', period.from)
    .where('inquiries.asked_at', '<', period.to)
    .where('inquiries.enrollment_id', 'in', enrollmentsIn(db, period))
    .execute();
}

/** Questionnaires issued in the period, and whether each was answered (at any time since). */
export function questionnairesIssued(db: Kysely<Database>, period: KpiPeriod) {
  return db
    .selectFrom('journey_events as issued')
    .innerJoin('enrollments', 'enrollments.id', 'issued.enrollment_id')
    .leftJoin('journey_events as answered', (join) =>
      join
        .onRef('answered.enrollment_id', '=', 'issued.enrollment_id')
        .on('answered.type', '=', 'answered')
        .on(sql<boolean>`answered.event_key = 'answered:' || substr(issued.event_key, length('issued:') + 1)`),
    )
    .select(['issued.event_key', 'enrollments.pathway_id', 'enrollments.pathway_version', 'enrollments.butler_id'])
    .select(sql<boolean>`answered.id is not null`.as('answered'))
    .where('issued.type', '=', 'issued')
    .where(sql<boolean>`issued.details->>'kind' = 'questionnaire'`)
    .where('issued.at', '>=', period.from)
    .where('issued.at', '<', period.to)
    .where('issued.enrollment_id', 'in', enrollmentsIn(db, period))
    .execute();
}
