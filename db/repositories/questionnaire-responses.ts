import type { Kysely, Transaction } from 'kysely';
import type { Database } from '../database.ts';

type Db = Kysely<Database> | Transaction<Database>;

export interface NewQuestionnaireResponse {
  enrollmentId: string;
  occurrenceKey: string;
  questionnaireId: string;
  items: Record<string, number>;
  score: number;
  submittedBy: string;
}

/** Stores the answers to one questionnaire occurrence once; returns whether they were new. */
export async function insertQuestionnaireResponse(db: Db, response: NewQuestionnaireResponse): Promise<boolean> {
  const result = await db
    .insertInto('questionnaire_responses')
    .values({
      enrollment_id: response.enrollmentId,
      occurrence_key: response.occurrenceKey,
      questionnaire_id: response.questionnaireId,
      items: JSON.stringify(response.items),
      score: response.score,
      submitted_by: response.submittedBy,
    })
    .onConflict((oc) => oc.columns(['enrollment_id', 'occurrence_key']).doNothing())
    .executeTakeFirst();
  return Number(result.numInsertedOrUpdatedRows ?? 0) > 0;
}
