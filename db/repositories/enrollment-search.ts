import type { Kysely, Transaction } from 'kysely';
import type { Database, EnrollmentStatus } from '../database.ts';
import type { Enrollment } from './enrollments.ts';

type Db = Kysely<Database> | Transaction<Database>;

export interface EnrollmentFilter {
  /** Pathway id (or the program family, e.g. `obstetrics`). */
  program?: string;
  butler?: string;
  status?: EnrollmentStatus;
  limit: number;
  offset: number;
}

/** Enrolments matching the filter, newest first. */
export function listEnrollments(db: Db, filter: EnrollmentFilter): Promise<Enrollment[]> {
  let query = db.selectFrom('enrollments').selectAll();
  if (filter.program !== undefined) {
    const program = filter.program;
    query = query.where((eb) => eb.or([eb('pathway_id', '=', program), eb('program', '=', program)]));
  }
  if (filter.butler !== undefined) query = query.where('butler_id', '=', filter.butler);
  if (filter.status !== undefined) query = query.where('status', '=', filter.status);
  return query.orderBy('created_at', 'desc').orderBy('id').limit(filter.limit).offset(filter.offset).execute();
}
