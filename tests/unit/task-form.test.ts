import { describe, expect, it } from 'vitest';
import { taskForm } from '../../enrollment/task-form.ts';
import { compilePathway } from '../support/journey-harness.ts';

const pregnancy = compilePathway('pathways/obstetrics/full-pregnancy.yaml');
const checkup = compilePathway('pathways/post-checkup/premium.yaml');
const task = (kind: string, occurrenceKey: string, stepId: string) => ({ kind, occurrence_key: occurrenceKey, step_id: stepId });

describe('what completing a task takes', () => {
  it("is a journey step's produces: a booking's appointment time and place, all required", () => {
    expect(taskForm(task('task', 'book_nt#1', 'book_nt'), pregnancy)).toEqual([
      { name: 'appointment_at', type: 'datetime', required: true },
      { name: 'place', type: 'string', required: true, maxLength: 2000 },
    ]);
  });

  it("is an approval's decision with an optional note, and nothing for a step that produces nothing", () => {
    const approval = checkup.steps.find((s) => s.kind === 'approval')!;
    expect(taskForm(task('approval', `${approval.id}#1`, approval.id), checkup).map((f) => [f.name, f.type, f.required])).toEqual([
      ['approved', 'bool', true],
      ['note', 'string', false],
    ]);
    const escalation = pregnancy.steps.find((s) => s.kind === 'escalation')!;
    expect(taskForm(task('escalation', `${escalation.id}#1`, escalation.id), pregnancy)).toEqual([]);
  });

  it("is an inquiry's reply and how it reached her, and a note for a follow-up task outside the steps", () => {
    expect(taskForm(task('inquiry-response', 'inquiry/q1', 'inquiry'), undefined)).toEqual([
      { name: 'reply', type: 'string', required: true, maxLength: 2000 },
      { name: 'via', type: 'choice', required: false, options: ['message', 'phone', 'in-person'] },
    ]);
    expect(taskForm(task('deliver-message', 'deliver/welcome#1/wechat', 'welcome'), pregnancy)).toEqual([
      { name: 'note', type: 'string', required: false, maxLength: 2000 },
    ]);
  });
});
