// The inquiry workflow: one per patient question, a durable timer for its response target.
// Sleeps until the escalation time or the answer; escalates the response task if unanswered.
import { condition, proxyActivities, setHandler } from '@temporalio/workflow';
import type { Activities } from '../activities/index.ts';
import { inquiryAnsweredSignal, type InquiryInput, type InquiryOutcome } from './inquiry-definitions.ts';

const store = proxyActivities<Activities>({
  startToCloseTimeout: '30 seconds',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes' },
});

/** Waits for the answer until `escalateAt`; then hands the open response task to `escalateTo`. */
export async function inquiryWorkflow(input: InquiryInput): Promise<InquiryOutcome> {
  let answered = false;
  setHandler(inquiryAnsweredSignal, () => {
    answered = true;
  });
  const wait = Date.parse(input.escalateAt) - Date.now();
  if (wait > 0) await condition(() => answered, wait);
  if (answered) return { outcome: 'answered' };
  // The activity only moves an open task forward: an answer that raced the timer wins.
  const task = await store.escalateTask({ taskId: input.taskId, level: 1, role: input.escalateTo, assignee: null });
  if (task.status !== 'open') return { outcome: 'answered' };
  await store.recordAudit({
    action: 'inquiry.escalate',
    resourceType: 'inquiry',
    resourceId: input.inquiryId,
    details: { taskId: input.taskId, to: input.escalateTo },
  });
  return { outcome: 'escalated' };
}
