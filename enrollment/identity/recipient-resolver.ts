import type { Kysely } from 'kysely';
import { recipientFor, type RecipientResolution } from '../../channels/recipients.ts';
import type { Database } from '../../db/database.ts';
import { appendAudit } from '../../db/repositories/audit-log.ts';
import { listEnrollmentConsents } from '../../db/repositories/consents.ts';
import type { IdentityVault } from './identity-vault.ts';
import { readPatientIdentity } from './patient-directory.ts';

/** What the send activity asks: who receives this message on this channel. */
export interface RecipientQuery {
  enrollmentId: string;
  patientRef: string;
  channel: string;
  audience: string;
}

export type ResolveRecipient = (query: RecipientQuery) => Promise<RecipientResolution>;

/**
 * `resolveRecipient` for the send activity: decrypts the patient's contact point for the channel
 * (only here, in the activity; never into a workflow, the outbox or a log), checks the
 * enrolment's consents that are not withdrawn, and audits each contact point read.
 */
export function recipientResolver(db: Kysely<Database>, vault: IdentityVault): ResolveRecipient {
  return async ({ enrollmentId, patientRef, channel, audience }) => {
    if (audience !== 'patient') return recipientFor(channel, audience, undefined, new Set());
    const consents = await listEnrollmentConsents(db, enrollmentId);
    const scope = new Set(consents.filter((c) => c.withdrawn_at === null).flatMap((c) => c.scope));
    const identity = await readPatientIdentity(db, vault, patientRef);
    const resolution = recipientFor(channel, audience, identity, scope);
    if ('recipient' in resolution) {
      await appendAudit(db, {
        actor: 'system',
        actorRole: 'worker',
        action: 'patient.contact.read',
        resourceType: 'patient',
        resourceId: patientRef,
        sourceIp: null,
        details: { purpose: 'message', channel, enrollmentId },
      });
    }
    return resolution;
  };
}
