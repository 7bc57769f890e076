/** Questionnaire scoring: the total of item scores (or a score given with the answers) and its band. */
import type { CompiledQuestionnaire } from '../model/compiled.ts';
import type { OccurrenceRecord } from '../model/journey.ts';

export interface Scored {
  score: number;
  items: Record<string, number>;
  band?: string;
}

/** Scores a questionnaire occurrence's answers; null when it carries no answers. */
export function scoreAnswers(q: CompiledQuestionnaire | undefined, data: OccurrenceRecord['data']): Scored | null {
  const raw = data?.['items'];
  if (!raw || typeof raw !== 'object') return null;
  const items: Record<string, number> = {};
  for (const [k, v] of Object.entries(raw)) if (typeof v === 'number') items[k] = v;
  const given = data?.['score'];
  const ids = q?.items ?? Object.keys(items).sort();
  const score = typeof given === 'number' ? given : ids.reduce((sum, id) => sum + (items[id] ?? 0), 0);
  const band = q?.bands.find((b) => score >= b.min && score <= b.max)?.label;
  return band === undefined ? { score, items } : { score, items, band };
}
