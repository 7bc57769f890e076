import type { PatientIdentity } from '../enrollment/identity/identity-vault.ts';

/** Where a channel delivers: the patient's contact point for it, or the staff role a staff message is for. */
export interface Recipient {
  kind: 'mobile' | 'wechat-openid' | 'app-user' | 'staff-role';
  address: string;
}

/**
 * The one table of which contact point each automatic channel uses, and the consent scope the
 * enrolment must record before the channel may be used for the patient.
 */
export const CONTACT_POINTS = {
  sms: { field: 'phone', kind: 'mobile', consent: 'sms-contact' },
  wechat: { field: 'wechatOpenId', kind: 'wechat-openid', consent: 'wechat-contact' },
  app: { field: 'appUserId', kind: 'app-user', consent: 'app-contact' },
} as const satisfies Record<string, { field: keyof PatientIdentity; kind: Recipient['kind']; consent: string }>;

/** Why a message found no recipient: the channel has no contact point on record, or no consent. */
export type MissingRecipient = 'no-contact-point' | 'no-consent';

/** The outcome of resolving a message's recipient. */
export type RecipientResolution = { recipient: Recipient } | { missing: MissingRecipient };

/**
 * The recipient of a message on `channel` (pure): a staff audience is addressed by its role; a
 * patient by the channel's contact point, only with its consent in `consentScope`.
 */
export function recipientFor(channel: string, audience: string, identity: PatientIdentity | undefined, consentScope: ReadonlySet<string>): RecipientResolution {
  if (audience !== 'patient') return { recipient: { kind: 'staff-role', address: audience } };
  const point = CONTACT_POINTS[channel as keyof typeof CONTACT_POINTS];
  if (!point) return { missing: 'no-contact-point' };
  if (!consentScope.has(point.consent)) return { missing: 'no-consent' };
  const address = identity?.[point.field];
  return address ? { recipient: { kind: point.kind, address } } : { missing: 'no-contact-point' };
}
