import { ApplicationFailure } from '@temporalio/common';
import { describeDeliveryFailure, PermanentDeliveryError } from '../channels/channel.ts';
import type { Recipient } from '../channels/recipients.ts';
import { insertTaskOnce } from '../db/repositories/tasks.ts';
import {
  claimOutboxMessage,
  findDeliveries,
  findOutboxMessage,
  insertOutboxMessageOnce,
  lockOutboxMessage,
  markOutboxAttemptFailed,
  markOutboxSent,
  markOutboxUndeliverable,
  type ClaimedOutboxMessage,
} from '../db/repositories/outbox.ts';
import { randomUUID } from 'node:crypto';
import type { ActivityDeps } from './deps.ts';
import type { SkipReason } from '../pathway/model/journey.ts';
import { messageKey as outboxKey, undeliveredKey } from '../pathway/model/keys.ts';

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
  /** Set when the step's channels are a preference order and channels remain after this one. */
  fallback?: MessageFallback;
}

/** What follows a message of a preference order when it does not deliver (see workflows/fallbacks.ts). */
export interface MessageFallback {
  /** The channels still to try, in order; `phone` (last) is a call task for a person. */
  next: string[];
  /** How long this channel has to deliver before the next one goes. */
  withinMinutes: number;
  /** The step's title and kind, for the call task at the end. */
  title: string;
  kind: string;
}

export interface SendMessageResult {
  idempotencyKey: string;
  providerMessageId: string | null;
  /**
   * `sent` now, already `sent` by an earlier attempt, `failed` for good and left to the next
   * channel of its preference order, or `handed-over` to a person as a task.
   */
  outcome: 'sent' | 'already-sent' | 'failed' | 'handed-over';
  /** A sent message's channel reports delivery: whether it reached the patient is known later, from its receipt. */
  awaitsReceipt?: boolean;
}

/** What the outbox knows of a sent message's delivery when its preference order asks. */
export type DeliveryOutcome = 'delivered' | 'undelivered' | 'unconfirmed';

/** A message another channel takes over when it fails: it is marked failed, and no person is asked to deliver it. */
function movesOn(input: SendMessageInput): boolean {
  return (input.fallback?.next.length ?? 0) > 0;
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

/** How long a delivery attempt holds its claim: longer than any channel's own timeout (webhooks: 10 s). */
export const DELIVERY_LEASE_MS = 60_000;
/** How long an attempt waits for another attempt's outcome before it fails for a later retry. */
const HELD_UP: SkipReason = 'held-up';
const CLAIM_WAIT_MS = 15_000;
const CLAIM_POLL_MS = 100;

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms));

/**
 * Claims the message for this attempt, or finds its outcome: sent, handed over, or — while
 * another attempt holds the claim — waited for up to CLAIM_WAIT_MS, then a retryable failure.
 */
async function claimOrOutcome(
  deps: ActivityDeps,
  idempotencyKey: string,
  failedOutcome: 'failed' | 'handed-over',
): Promise<{ row: ClaimedOutboxMessage } | { result: SendMessageResult }> {
  for (const deadline = Date.now() + CLAIM_WAIT_MS; ;) {
    const now = new Date();
    const row = await claimOutboxMessage(deps.db, idempotencyKey, now, new Date(now.getTime() + DELIVERY_LEASE_MS));
    if (row) return { row };
    const current = await findOutboxMessage(deps.db, idempotencyKey);
    if (current.status === 'sent') return { result: { idempotencyKey, providerMessageId: current.provider_message_id, outcome: 'already-sent' } };
    if (current.status === 'failed') return { result: { idempotencyKey, providerMessageId: null, outcome: failedOutcome } };
    if (Date.now() >= deadline) throw ApplicationFailure.retryable(`a delivery of ${idempotencyKey} is still in flight`, 'DeliveryInFlight');
    await sleep(CLAIM_POLL_MS);
  }
}

/** What the person is asked to do: deliver a message that failed, or decide on one whose window the journey missed. */
function handOverTitle(input: SendMessageInput & { reason: string }): string {
  if (input.reason === NO_CONTACT_POINT)
    return `Reach the patient another way: message ${input.templateId} has no ${input.channel} contact point on record (add it to her identity, or send by hand)`;
  if (input.reason === NO_CONSENT)
    return `Reach the patient another way: message ${input.templateId} may not go by ${input.channel}, the enrolment records no consent for it`;
  if (input.reason === HELD_UP)
    return `Not sent in its window (the platform was held up): message ${input.templateId} via ${input.channel}; contact the patient if it still matters`;
  return `Deliver by hand: message ${input.templateId} could not be sent via ${input.channel}`;
}

/**
 * The message's recipient, or — with no contact point on record for the channel, or no consent
 * for it — a failure no retry mends, which hands the message to a person at once.
 */
async function resolveRecipient(deps: ActivityDeps, input: SendMessageInput): Promise<Recipient | null> {
  if (!deps.resolveRecipient) return null;
  const resolution = await deps.resolveRecipient(input);
  if ('recipient' in resolution) return resolution.recipient;
  const why =
    resolution.missing === 'no-consent' ? `the enrolment records no consent to contact by ${input.channel}` : `no ${input.channel} contact point on record`;
  throw ApplicationFailure.nonRetryable(`${input.channel}: ${why}`, resolution.missing === 'no-consent' ? NO_CONSENT : NO_CONTACT_POINT);
}

const NO_CONTACT_POINT = 'NoContactPoint';
const NO_CONSENT = 'NoContactConsent';

/** A failure no retry can mend (an unknown channel, a number the provider refuses). */
function isPermanent(err: unknown): boolean {
  return err instanceof ApplicationFailure && err.nonRetryable === true;
}

export function createMessageActivities(deps: ActivityDeps) {
  const activities = {
    /**
     * Sends one message through the outbox. The attempt claims the row for a lease, commits, and
     * only then calls the channel: no transaction, row lock or pooled connection is held across
     * the gateway's HTTP call. An attempt that finds another one's claim waits for its outcome
     * (and answers `already-sent`), or fails for a later retry: never a second send. A failed
     * attempt is counted and rethrown for Temporal to retry with backoff; a claim left by an
     * attempt that died expires after the lease and the next retry delivers, under the same
     * idempotency key, which the gateway deduplicates.
     */
    async sendMessage(input: SendMessageInput): Promise<SendMessageResult> {
      const idempotencyKey = messageKey(input);
      const channel = deps.channels.get(input.channel);
      if (!channel) throw ApplicationFailure.nonRetryable(`no channel adapter named '${input.channel}'`, 'UnknownChannel');
      await insertOutboxMessageOnce(deps.db, { ...input, idempotencyKey });
      const recipient = await resolveRecipient(deps, input);
      // The patient's name is decrypted only for a template that shows it. It is used for this
      // text only: the outbox row keeps the variables without it.
      const patient = deps.describePatient && needsPatientName(deps, input) ? await deps.describePatient(input.patientRef) : null;
      const awaitsReceipt = channel.reportsDelivery === true;
      // Rendered before the claim: a template that cannot render is for a person to fix, not to retry.
      const variables = patient ? { ...input.variables, name: patient.name } : input.variables;
      const { text, fields, preview } = deps.renderTemplate(input.templateId, variables, input.channel);
      const claim = await claimOrOutcome(deps, idempotencyKey, movesOn(input) ? 'failed' : 'handed-over');
      if ('result' in claim) return claim.result.outcome === 'already-sent' ? { ...claim.result, awaitsReceipt } : claim.result;
      let providerMessageId: string;
      try {
        ({ providerMessageId } = await channel.deliver({
          idempotencyKey,
          channel: input.channel,
          audience: input.audience,
          patientRef: input.patientRef,
          templateId: input.templateId,
          text,
          fields,
          preview: preview ?? text,
          urgent: input.urgent,
          mayHaveBeenSent: claim.row.attempts > 0 || claim.row.previous_claim !== null,
          ...(recipient ? { recipient } : {}),
        }));
      } catch (err) {
        // Stored and propagated as classified only: the error's own text may quote the message.
        const failure = describeDeliveryFailure(input.channel, err);
        await markOutboxAttemptFailed(deps.db, claim.row.id, failure);
        if (err instanceof PermanentDeliveryError) throw ApplicationFailure.nonRetryable(failure, 'PermanentDeliveryError');
        throw ApplicationFailure.retryable(failure, 'DeliveryFailed');
      }
      await markOutboxSent(deps.db, claim.row.id, providerMessageId, new Date().toISOString());
      return { idempotencyKey, providerMessageId, outcome: 'sent', awaitsReceipt };
    },

    /**
     * After the last retry: marks the message failed and gives it to a person as a task
     * (call the patient, send by hand). Nothing is dropped, and nothing is handed over that was
     * sent: a delivery still in flight is waited for, and under the row's lock a message is
     * either found sent, or marked failed with its task created in the same transaction. A
     * message whose attempts never reached the outbox gets its row here, so nothing later sends it.
     */
    async handOverUndeliverableMessage(
      input: SendMessageInput & { role: string; assignee: string | null; reason: string },
    ): Promise<{ taskId: string | null; outcome: SendMessageResult['outcome'] }> {
      const idempotencyKey = messageKey(input);
      await insertOutboxMessageOnce(deps.db, { ...input, idempotencyKey });
      for (const deadline = Date.now() + CLAIM_WAIT_MS; ;) {
        const outcome = await deps.db.transaction().execute(async (trx) => {
          const row = await lockOutboxMessage(trx, idempotencyKey);
          if (row.status === 'sent') return { taskId: null, outcome: 'already-sent' as const };
          if (row.status === 'pending' && row.claimed_until !== null && row.claimed_until.getTime() > Date.now()) return 'in-flight' as const;
          // The next channel of the step's preference order takes over: no person is asked.
          await markOutboxUndeliverable(trx, idempotencyKey, movesOn(input) ? input.fallback!.next[0]! : null);
          if (movesOn(input)) return { taskId: null, outcome: 'failed' as const };
          const { task } = await insertTaskOnce(trx, {
            id: randomUUID(),
            enrollmentId: input.enrollmentId,
            occurrenceKey: undeliveredKey(input.occurrenceKey, input.channel),
            stepId: input.stepId,
            code: null,
            kind: 'deliver-message',
            title: handOverTitle(input),
            role: input.role,
            assignee: input.assignee,
            urgent: input.urgent,
            dueAt: null,
          });
          return { taskId: task.id, outcome: 'handed-over' as const };
        });
        if (outcome !== 'in-flight') {
          if (outcome.taskId)
            deps.logger.warn({ idempotencyKey, taskId: outcome.taskId, channel: input.channel, reason: input.reason }, 'message handed over to a person');
          return outcome;
        }
        if (Date.now() >= deadline) throw ApplicationFailure.retryable(`a delivery of ${idempotencyKey} is still in flight`, 'DeliveryInFlight');
        await sleep(CLAIM_POLL_MS);
      }
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
          const handed = await activities.handOverUndeliverableMessage({ ...message, role: 'butler', assignee: input.assignee, reason });
          results.push({ idempotencyKey: messageKey(message), providerMessageId: null, outcome: handed.outcome });
        } else retry ??= outcome.reason;
      }
      if (retry) throw retry;
      return results;
    },

    /**
     * After the last retry of a round's messages: hands over every one that was not sent (or,
     * in a preference order, leaves it to the next channel). Returns each message's outcome.
     */
    async handOverUnsentMessages(input: {
      messages: SendMessageInput[];
      assignee: string | null;
      reason: string;
    }): Promise<{ handedOver: number; results: SendMessageResult[] }> {
      let handedOver = 0;
      const results: SendMessageResult[] = [];
      for (const message of input.messages) {
        const { taskId, outcome } = await activities.handOverUndeliverableMessage({
          ...message,
          role: 'butler',
          assignee: input.assignee,
          reason: input.reason,
        });
        if (taskId) handedOver++;
        const awaitsReceipt = outcome === 'already-sent' && deps.channels.get(message.channel)?.reportsDelivery === true;
        results.push({ idempotencyKey: messageKey(message), providerMessageId: null, outcome, ...(awaitsReceipt ? { awaitsReceipt } : {}) });
      }
      return { handedOver, results };
    },

    /**
     * Whether sent messages reached the patient, by their receipts: `delivered`, `undelivered`, or
     * `unconfirmed` (no receipt yet). Asked by a preference order when a channel's time is up.
     */
    async deliveryOutcomes(input: { idempotencyKeys: string[] }): Promise<Record<string, DeliveryOutcome>> {
      const found = await findDeliveries(deps.db, input.idempotencyKeys);
      const outcomes: Record<string, DeliveryOutcome> = {};
      for (const key of input.idempotencyKeys) {
        const row = found.get(key);
        outcomes[key] =
          row?.delivery === 'delivered' ? 'delivered' : row?.delivery === 'undelivered' || row?.status === 'failed' ? 'undelivered' : 'unconfirmed';
      }
      return outcomes;
    },
  };
  return activities;
}
