// What completing a task takes, as a form: the one place that says it for every kind of task
// (a journey step's data from pathway/model/step-data.ts, an inquiry's answer, a follow-up task's note).
import type { WorklistTask } from '../db/repositories/worklist.ts';
import { stepDataFields } from '../pathway/model/step-data.ts';
import type { CompiledPathway, FieldType } from '../pathway/planner/index.ts';
import { completionPath } from './complete-task.ts';
import { REPLY_MAX_LENGTH, REPLY_VIA } from './inquiries/inquiry-reply.ts';

/** One field of a task's completion form. */
export interface TaskFormField {
  name: string;
  type: FieldType | 'choice';
  required: boolean;
  options?: readonly string[];
  maxLength?: number;
}

/** The longest free text of a field the pathway declares `string` (the API's data value limit). */
const TEXT_MAX_LENGTH = 2000;

/** The fields of `task`'s completion data; `pathway` is the version its journey runs (for a journey step). */
export function taskForm(task: Pick<WorklistTask, 'kind' | 'occurrence_key' | 'step_id'>, pathway: CompiledPathway | undefined): TaskFormField[] {
  switch (completionPath(task)) {
    case 'inquiry':
      return [
        { name: 'reply', type: 'string', required: true, maxLength: REPLY_MAX_LENGTH },
        { name: 'via', type: 'choice', required: false, options: REPLY_VIA },
      ];
    case 'journey': {
      const step = pathway?.steps.find((s) => s.id === task.step_id);
      if (!step) return [];
      return Object.entries(stepDataFields(step)).map(([name, f]) => ({ name, ...f, ...(f.type === 'string' ? { maxLength: TEXT_MAX_LENGTH } : {}) }));
    }
    case 'direct':
      return [{ name: 'note', type: 'string', required: false, maxLength: TEXT_MAX_LENGTH }];
  }
}
