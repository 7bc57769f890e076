import { ApplicationFailure } from '@temporalio/common';
import { PermanentDeliveryError } from '../channels/channel.ts';
import { insertTaskOnce } from '../db/repositories/tasks.ts';
import { insertOutboxMessageOnce, lockOutboxMessage, markOutboxAttemptFailed, markOutboxSent, markOutboxUndeliverable } from '../db/repositories/outbox.ts';
import { randomUUID } from 'node:crypto';
import type { ActivityDeps } from './deps.ts';
import { messageKey as outboxKey } from '../pathway/model/keys.ts';

export interface SendMessageInput {
  enrollmentId: string;
  patientRef: string;
  stepId: string;
  /** The planner's occurrence key of the step (e.g. `advance-notice#3`). */
  occurrenceKey: string;
  channel: string;
  audience: string;
  templateId: string;
  variables: Record<string, unknown>;
  urgent: boolean;
}

export interface SendMessageResult {
  idempotencyKey: string;
  providerMessageId: string | null;
  /** `sent` now, already `sent` by an earlier attempt, or `failed` earlier and handed to a person. */
  outcome: 'sent' | 'already-sent' | 'handed-over';
}

/** The outbox idempotency key: one delivery per journey, step occurrence and channel. */
export function messageKey(input: Pick<SendMessageInput, 'enrollmentId' | 'occurrenceKey' | 'channel'>): string {
  return outboxKey(input.enrollmentId, input.occurrenceKey, input.channel);
}

/** Whether the template needs `{{name}}`, which the workflow never supplies (a trial render without it). */
function needsPatientName(deps: ActivityDeps, input: SendMessageInput): boolean {
  try {
    deps.renderTemplate(input.templateId, input.variables, input.channel);
    return false;
  } catch (err) {
    return err instanceof ApplicationFailure && err.type === 'MissingTemplateVariable' && err.message.includes("'name'");
  }
}

/** A failure no retry can mend (an unknown channel, a number the provider refuses). */
function isPermanent(err: unknown): boolean {
  return err instanceof ApplicationFailure && err.nonRetryable === true;
}

export function createMessageActivities(deps: ActivityDeps) {
  const activities = {
    /**
     * Sends one message through the outbox. The row is locked while the channel delivers, so a
     * retry running beside a slow first attempt waits and then sees `sent`: never a second send.
     * A failed attempt is counted and rethrown for Temporal to retry with backoff.
     */
    async sendMessage(input: SendMessageInput): Promise<SendMessageResult> {
      const idempotencyKey = messageKey(input);
      const channel = deps.channels.get(input.channel);
      if (!channel) throw ApplicationFailure.nonRetryable(`no channel adapter named '${input.channel}'`, 'UnknownChannel');
      await insertOutboxMessageOnce(deps.db, { ...input, idempotencyKey });
      // The patient's name is decrypted only for a template that shows it, and looked up before the
      // row lock (never hold one pooled connection while waiting for another). It is used for this
      // text only: the outbox row keeps the variables without it.
      const patient = deps.describePatient && needsPatientName(deps, input) ? await deps.describePatient(input.patientRef) : null;
      const outcome = await deps.db.transaction().execute(async (trx): Promise<{ result: SendMessageResult } | { error: unknown }> => {
        const row = await lockOutboxMessage(trx, idempotencyKey);
        if (row.status === 'sent') return { result: { idempotencyKey, providerMessageId: row.provider_message_id, outcome: 'already-sent' } };
        if (row.status === 'failed') return { result: { idempotencyKey, providerMessageId: null, outcome: 'handed-over' } };
        try {
          const text = deps.renderTemplate(input.templateId, patient ? { ...input.variables, name: patient.name } : input.variables, input.channel);
          const { providerMessageId } = await channel.deliver({
            idempotencyKey,
            channel: input.channel,
            audience: input.audience,
            patientRef: input.patientRef,
            templateId: input.templateId,
            text,
            urgent: input.urgent,
          });
          await markOutboxSent(trx, row.id, providerMessageId, new Date().toISOString());
          return { result: { idempotencyKey, providerMessageId, outcome: 'sent' } };
        } catch (err) {
          await markOutboxAttemptFailed(trx, row.id, (err as Error).message ?? String(err));
          return { error: err };
        }
      });
      if ('result' in outcome) return outcome.result;
      const err = outcome.error as Error;
      if (err instanceof PermanentDeliveryError) throw ApplicationFailure.nonRetryable(err.message, 'PermanentDeliveryError');
      throw err;
    },

    /**
     * After the last retry: marks the message failed and gives it to a person as a task
     * (call the patient, send by hand). Nothing is dropped, and nothing is handed over that was
     * sent: under the row's lock (which waits for a delivery still in flight) a message is either
     * found sent, or marked failed with its task created in the same transaction. A message whose
     * attempts never reached the outbox gets its row here, so nothing later sends it either.
     */
    async handOverUndeliverableMessage(
      input: SendMessageInput & { role: string; assignee: string | null; reason: string },
    ): Promise<{ taskId: string | null }> {
      const idempotencyKey = messageKey(input);
      await insertOutboxMessageOnce(deps.db, { ...input, idempotencyKey });
      const taskId = await deps.db.transaction().execute(async (trx) => {
        const row = await lockOutboxMessage(trx, idempotencyKey);
        if (row.status === 'sent') return null;
        await markOutboxUndeliverable(trx, idempotencyKey);
        const { task } = await insertTaskOnce(trx, {
          id: randomUUID(),
          enrollmentId: input.enrollmentId,
          occurrenceKey: `${input.occurrenceKey}/undelivered/${input.channel}`,
          stepId: input.stepId,
          code: null,
          kind: 'deliver-message',
          title: `Deliver by hand: message ${input.templateId} could not be sent via ${input.channel}`,
          role: input.role,
          assignee: input.assignee,
          urgent: input.urgent,
          dueAt: null,
        });
        return task.id;
      });
      if (taskId) deps.logger.warn({ idempotencyKey, taskId, channel: input.channel }, 'message handed over to a person after its last retry');
      return { taskId };
    },

    /**
     * Sends the messages of one planning round, each through the outbox as `sendMessage` does.
     * A message that fails for good is handed to a person at once; if any failed in a way a retry
     * may mend, the activity fails after trying them all, and Temporal retries it: the retry finds
     * the messages already sent by their outbox rows and sends only the others.
     */
    async sendMessages(input: { messages: SendMessageInput[]; assignee: string | null }): Promise<SendMessageResult[]> {
      const settled = await Promise.allSettled(input.messages.map((m) => activities.sendMessage(m)));
      const results: SendMessageResult[] = [];
      let retry: unknown = null;
      for (const [i, outcome] of settled.entries()) {
        const message = input.messages[i]!;
        if (outcome.status === 'fulfilled') results.push(outcome.value);
        else if (isPermanent(outcome.reason)) {
          const reason = (outcome.reason as ApplicationFailure).type ?? 'delivery failed';
          await activities.handOverUndeliverableMessage({ ...message, role: 'butler', assignee: input.assignee, reason });
          results.push({ idempotencyKey: messageKey(message), providerMessageId: null, outcome: 'handed-over' });
        } else retry ??= outcome.reason;
      }
      if (retry) throw retry;
      return results;
    },

    /** After the last retry of a round's messages: hands over every one that was not sent. */
    async handOverUnsentMessages(input: { messages: SendMessageInput[]; assignee: string | null; reason: string }): Promise<{ handedOver: number }> {
      let handedOver = 0;
      for (const message of input.messages) {
        const { taskId } = await activities.handOverUndeliverableMessage({ ...message, role: 'butler', assignee: input.assignee, reason: input.reason });
        if (taskId) handedOver++;
      }
      return { handedOver };
    },
  };
  return activities;
}
