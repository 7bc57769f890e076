// The reply workflow: one per answered inquiry. Sends the butler's answer on the first channel
// of its preference order that can deliver it; a person calls when none can.
import { ActivityFailure, ApplicationFailure, proxyActivities } from '@temporalio/workflow';
import type { Activities } from '../activities/index.ts';
import type { InquiryReplyInput, InquiryReplyOutcome } from './inquiry-definitions.ts';

// About half an hour of retries (2 s doubling to 5 min) before the channel counts as failed.
const replies = proxyActivities<Activities>({
  startToCloseTimeout: '2 minutes',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes', maximumAttempts: 12 },
});
const store = proxyActivities<Activities>({
  startToCloseTimeout: '1 minute',
  retry: { initialInterval: '2 seconds', backoffCoefficient: 2, maximumInterval: '5 minutes' },
});

/** Tries each channel in turn until one sends the reply; `phone` makes a call task for the butler. */
export async function inquiryReplyWorkflow(input: InquiryReplyInput): Promise<InquiryReplyOutcome> {
  const { inquiryId } = input;
  const tried: string[] = [];
  for (const [i, channel] of input.channels.entries()) {
    if (channel === 'phone') {
      const called = await store.callAboutInquiryReply({ inquiryId, tried });
      return { outcome: called ? 'call-task' : 'no-reply', channel: called ? channel : null };
    }
    const next = input.channels.slice(i + 1);
    let outcome: string;
    try {
      outcome = (await replies.sendInquiryReply({ inquiryId, channel, next })).outcome;
    } catch (err) {
      if (!(err instanceof ActivityFailure)) throw err;
      const reason = err.cause instanceof ApplicationFailure ? (err.cause.type ?? 'delivery failed') : 'delivery failed';
      outcome = (await store.handOverInquiryReply({ inquiryId, channel, next, reason })).outcome;
    }
    if (outcome === 'no-reply') return { outcome, channel: null };
    if (outcome === 'sent' || outcome === 'already-sent') return { outcome: 'sent', channel };
    if (outcome === 'handed-over') return { outcome, channel };
    tried.push(channel);
  }
  return { outcome: 'handed-over', channel: null };
}
