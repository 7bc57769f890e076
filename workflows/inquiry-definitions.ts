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

/** The reply to an inquiry, sent after the butler answered: the channels to try, in order (`phone` last: a call task). */
export interface InquiryReplyInput {
  inquiryId: string;
  channels: string[];
}

export interface InquiryReplyOutcome {
  /** `sent` on `channel`; `call-task` for the butler when no channel could carry it; `no-reply` when none was recorded. */
  outcome: 'sent' | 'call-task' | 'handed-over' | 'no-reply';
  channel: string | null;
}

/** The workflow id of an inquiry's reply: one per inquiry, so an answer is sent once. */
export function inquiryReplyWorkflowId(inquiryId: string): string {
  return `${inquiryWorkflowId(inquiryId)}/reply`;
}
