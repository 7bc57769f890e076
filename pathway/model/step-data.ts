// The one owner of what data completing a step takes: the journey's validator checks it, the
// API's task form shows it. Pure.
import type { CompiledStep, FieldType } from './compiled.ts';

/** One field of a step's completion data. */
export interface StepDataField {
  type: FieldType;
  required: boolean;
}

/** The fields a staff-completed step takes: a task's `produces` (all required), an approval's `approved` and `note`; none otherwise. */
export function stepDataFields(step: CompiledStep): Record<string, StepDataField> {
  if (step.kind === 'task') return Object.fromEntries(Object.entries(step.produces).map(([name, type]) => [name, { type, required: true }]));
  if (step.kind === 'approval') return { approved: { type: 'bool', required: true }, note: { type: 'string', required: false } };
  return {};
}
