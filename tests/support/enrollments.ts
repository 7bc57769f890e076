import { randomUUID } from 'node:crypto';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/database.ts';

/** Inserts a minimal enrolment row (for activity tests that need one to hang rows on). */
export async function insertEnrollment(db: Kysely<Database>, values: Partial<{ program: string; butlerId: string }> = {}): Promise<string> {
  const id = randomUUID();
  await db
    .insertInto('enrollments')
    .values({
      id,
      patient_ref: `P-${id.slice(0, 8)}`,
      program: values.program ?? 'test-program',
      pathway_id: 'test-pathway',
      pathway_version: '1',
      pathway_hash: 'sha256:test',
      workflow_id: `journey-${id}`,
      butler_id: values.butlerId ?? null,
    })
    .execute();
  return id;
}
