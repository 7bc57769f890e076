// The inquiry workflow's contract: its input and the signal that it was answered.
// Client code (API, tests) imports these; they hold no workflow logic.
import { defineSignal } from '@temporalio/workflow';

export interface InquiryInput {
  inquiryId: string;
  /** The response task in the worklist. */
  taskId: string;
  /** When the task is escalated if still unanswered (ISO 8601). */
  escalateAt: string;
  /** Who gets an escalated inquiry (the butlers' lead). */
  escalateTo: string;
}

export interface InquiryOutcome {
  outcome: 'answered' | 'escalated';
}

/** The inquiry's response task was completed: no escalation is needed. */
export const inquiryAnsweredSignal = defineSignal('inquiryAnswered');

/** The workflow id of an inquiry: no patient data, only the inquiry's own id. */
export function inquiryWorkflowId(inquiryId: string): string {
  return `inquiry/${inquiryId}`;
}
