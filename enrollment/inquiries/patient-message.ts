import { randomUUID } from 'node:crypto';
import type { Client } from '@temporalio/client';
import type { Kysely } from 'kysely';
import type { Database } from '../../db/database.ts';
import { appendAudit } from '../../db/repositories/audit-log.ts';
import { listActiveEnrollmentsOf } from '../../db/repositories/enrollments.ts';
import { findInboundMessage, insertInboundMessageOnce, type InboundMessage } from '../../db/repositories/inbound-messages.ts';
import { findOpenInquiry } from '../../db/repositories/inquiries.ts';
import { patientsByContact } from '../identity/contact-index.ts';
import type { ContactKind, IdentityVault } from '../identity/identity-vault.ts';
import { openInquiry } from './open-inquiry.ts';

/** The longest text kept of one message (an inquiry's question has the same bound). */
const MAX_TEXT = 4000;

/** A patient's message as a channel delivered it: who it came from, and what it says. */
export interface PatientMessage {
  /** wechat-oa, aliyun-sms, tencent-sms: with `providerMessageId`, what makes a push that came again the same message. */
  provider: string;
  providerMessageId: string;
  channel: 'wechat' | 'sms';
  from: { kind: ContactKind; address: string };
  text: string;
  receivedAt: Date;
}

export interface PatientMessageDeps {
  db: Kysely<Database>;
  vault: IdentityVault;
  client: Client;
  taskQueue: string;
}

export type PatientMessageOutcome = InboundMessage['outcome'];

/**
 * A message a patient sent through a channel: it attaches to her open (unanswered) inquiry, or
 * opens a new one, with its response task for her butler. A sender the platform cannot name for
 * certain — no patient with that contact point, several sharing it, or none enrolled now — is
 * recorded without its text, which nobody could answer. A push that came before changes nothing.
 */
export async function receivePatientMessage(deps: PatientMessageDeps, message: PatientMessage): Promise<{ outcome: PatientMessageOutcome; repeated: boolean }> {
  const before = await findInboundMessage(deps.db, message.provider, message.providerMessageId);
  if (before) return { outcome: before.outcome, repeated: true };
  const row = {
    id: randomUUID(),
    provider: message.provider,
    provider_message_id: message.providerMessageId,
    channel: message.channel,
    received_at: message.receivedAt,
  };
  const text = message.text.slice(0, MAX_TEXT);
  const record = async (outcome: PatientMessageOutcome, extra: { patient_ref?: string; inquiry_id?: string; text?: string } = {}) => ({
    outcome,
    repeated: !(await insertInboundMessageOnce(deps.db, { ...row, outcome, ...extra })),
  });

  const senders = await patientsByContact(deps.db, deps.vault, message.from.kind, message.from.address);
  if (senders.length === 0) return record('unmatched');
  const enrollments = await listActiveEnrollmentsOf(deps.db, senders);
  const enrolled = [...new Set(enrollments.map((e) => e.patient_ref))];
  if (enrolled.length > 1 || (senders.length > 1 && enrolled.length === 0)) return record('ambiguous');
  if (enrolled.length === 0) return record('not-enrolled', { patient_ref: senders[0]! });
  const patientRef = enrolled[0]!;

  const open = await findOpenInquiry(
    deps.db,
    enrollments.map((e) => e.id),
  );
  if (open) return record('attached', { patient_ref: patientRef, inquiry_id: open.id, text });

  let repeated = false;
  try {
    await openInquiry(
      deps,
      {
        enrollment: enrollments[0]!,
        question: text,
        urgent: false,
        channel: message.channel,
        askedAt: message.receivedAt,
        createdBy: `channel:${message.provider}`,
      },
      async (trx, inquiry) => {
        await insertInboundMessageOnce(trx, { ...row, outcome: 'opened', patient_ref: patientRef, inquiry_id: inquiry.id, text }).then((inserted) => {
          // The same push, handled at the same moment by another request: that one opens the inquiry.
          if (!inserted) throw new RepeatedPush();
        });
        await appendAudit(trx, {
          actor: 'system',
          actorRole: 'channel',
          action: 'inquiry.create',
          resourceType: 'inquiry',
          resourceId: inquiry.id,
          sourceIp: null,
          details: { enrollmentId: inquiry.enrollment_id, via: message.provider, taskId: inquiry.task_id },
        });
      },
    );
  } catch (err) {
    if (!(err instanceof RepeatedPush)) throw err;
    repeated = true;
  }
  return { outcome: 'opened', repeated };
}

class RepeatedPush extends Error {}
