import { randomUUID } from 'node:crypto';
import { ApplicationFailure } from '@temporalio/common';
import { findEnrollment } from '../db/repositories/enrollments.ts';
import { findInquiry } from '../db/repositories/inquiries.ts';
import { insertTaskOnce } from '../db/repositories/tasks.ts';
import { REPLY_TEMPLATE } from '../enrollment/inquiries/inquiry-reply.ts';
import { channelList } from '../pathway/model/channel-labels.ts';
import { callKey, inquiryReplyKey } from '../pathway/model/keys.ts';
import type { ActivityDeps } from './deps.ts';
import type { createMessageActivities, SendMessageInput, SendMessageResult } from './messages.ts';

type MessageActivities = ReturnType<typeof createMessageActivities>;

/** The reply to an inquiry as one message through the outbox; the text is read here, never passed through the workflow. */
async function replyMessage(
  deps: ActivityDeps,
  input: { inquiryId: string; channel: string; next: string[] },
): Promise<{ message: SendMessageInput; assignee: string | null } | null> {
  const inquiry = await findInquiry(deps.db, input.inquiryId);
  if (!inquiry?.reply || inquiry.reply_via !== 'message') return null;
  const enrollment = (await findEnrollment(deps.db, inquiry.enrollment_id))!;
  return {
    assignee: enrollment.butler_id,
    message: {
      enrollmentId: enrollment.id,
      patientRef: enrollment.patient_ref,
      stepId: 'inquiry',
      occurrenceKey: inquiryReplyKey(inquiry.id),
      channel: input.channel,
      audience: 'patient',
      templateId: REPLY_TEMPLATE,
      variables: { reply: inquiry.reply },
      urgent: inquiry.urgent,
      ...(input.next.length ? { fallback: { next: input.next, withinMinutes: 0, title: '咨询回复', kind: 'inquiry-reply' } } : {}),
    },
  };
}

/** The activities of the reply workflow (workflows/inquiry-reply.ts): send, hand over, call. */
export function createInquiryReplyActivities(deps: ActivityDeps, messages: MessageActivities) {
  return {
    /**
     * Sends the inquiry's reply on one channel, as `sendMessage` does (once per channel, by the
     * outbox key). A reply not yet committed (the answer's transaction starts the workflow before
     * it commits) is a retryable failure.
     */
    async sendInquiryReply(input: { inquiryId: string; channel: string; next: string[] }): Promise<{ outcome: SendMessageResult['outcome'] }> {
      const reply = await replyMessage(deps, input);
      if (!reply) throw ApplicationFailure.retryable(`inquiry ${input.inquiryId} has no reply recorded yet`, 'NoReplyYet');
      return { outcome: (await messages.sendMessage(reply.message)).outcome };
    },

    /** After the channel's last retry: marks the reply failed for the next channel, or hands it to the butler. */
    async handOverInquiryReply(input: {
      inquiryId: string;
      channel: string;
      next: string[];
      reason: string;
    }): Promise<{ outcome: SendMessageResult['outcome'] | 'no-reply' }> {
      const reply = await replyMessage(deps, input);
      if (!reply) return { outcome: 'no-reply' };
      const { outcome } = await messages.handOverUndeliverableMessage({ ...reply.message, role: 'butler', assignee: reply.assignee, reason: input.reason });
      return { outcome };
    },

    /** No channel could carry the reply: a call task for the patient's butler (the reply is on the inquiry). false: no reply recorded. */
    async callAboutInquiryReply(input: { inquiryId: string; tried: string[] }): Promise<boolean> {
      const inquiry = await findInquiry(deps.db, input.inquiryId);
      if (!inquiry?.reply || inquiry.reply_via !== 'message') return false;
      const enrollment = (await findEnrollment(deps.db, inquiry.enrollment_id))!;
      const why = input.tried.length ? `${channelList(input.tried)}无法送达` : '患者没有可接收回复的微信或应用';
      await insertTaskOnce(deps.db, {
        id: randomUUID(),
        enrollmentId: enrollment.id,
        occurrenceKey: callKey(inquiryReplyKey(inquiry.id)),
        stepId: 'inquiry',
        code: 'consultation',
        kind: 'inquiry-reply',
        title: `电话告知患者咨询回复（${why}；回复内容见咨询记录）`,
        role: 'butler',
        assignee: enrollment.butler_id,
        urgent: inquiry.urgent,
        call: true,
        dueAt: null,
      });
      return true;
    },
  };
}
