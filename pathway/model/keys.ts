// The one owner of the key formats. Pure: the planner and the workflow import it.
//
//   occurrence   `<step>#<suffix>`            book_nt#1 · v1_notice#1 (follows book_v1#1) ·
//                                             bp_e3#r:r7 (caused by reading r7) · care#e:<event>
//   follow-up    `<occurrence>/remind-<n>`    epds#1/remind-1
//                `<occurrence>/escalate-<n>`  book_nt#1/escalate-2 (n = the escalation level)
//   call task    `<key>/call`                 epds#1/remind-1/call
//   hand-over    `<key>/undelivered/<channel>` a message no retry could send, for a person
//   message      `<enrolment>/<key>/<channel>` the outbox's idempotency key: one delivery per
//                                             journey, occurrence or follow-up, and channel
//   inquiry      `inquiry:<id>`               the response task of a patient's inquiry
//                `inquiry:<id>/reply`         its reply to the patient (a message, or a call task)

export type FollowUpKind = 'remind' | 'escalate';

/** The key of occurrence `suffix` of a step. */
export function occurrenceKey(stepId: string, suffix: string | number): string {
  return `${stepId}#${suffix}`;
}

/** The key of the `n`-th reminder or of escalation level `n` of an occurrence. */
export function followUpKey(occurrence: string, kind: FollowUpKind, n: number): string {
  return `${occurrence}/${kind}-${n}`;
}

/** The key of the call task a person channel (phone) makes of an action. */
export function callKey(key: string): string {
  return `${key}/call`;
}

export interface ParsedKey {
  stepId: string;
  /** After `#`: a number, a source occurrence's suffix, `r:<reading>`, `e:<event>` … */
  suffix: string;
  /** The occurrence the key belongs to (the key itself when it is not a follow-up). */
  occurrence: string;
  followUp?: { kind: FollowUpKind; n: number };
  call?: true;
}

/** Parses an occurrence, follow-up or call key; null when it is none of these. */
export function parseKey(key: string): ParsedKey | null {
  const hash = key.indexOf('#');
  if (hash <= 0) return null;
  const stepId = key.slice(0, hash);
  let rest = key.slice(hash + 1);
  let call: true | undefined;
  if (rest.endsWith('/call')) {
    call = true;
    rest = rest.slice(0, -'/call'.length);
  }
  const m = /\/(remind|escalate)-(\d+)$/.exec(rest);
  const suffix = m ? rest.slice(0, m.index) : rest;
  if (!suffix || suffix.includes('/')) return null;
  const parsed: ParsedKey = { stepId, suffix, occurrence: occurrenceKey(stepId, suffix) };
  if (m) parsed.followUp = { kind: m[1] as FollowUpKind, n: Number(m[2]) };
  if (call) parsed.call = call;
  return parsed;
}

/** The key of the response task of inquiry `id` (no `#`: no journey step stands behind it). */
export function inquiryKey(id: string): string {
  return `inquiry:${id}`;
}

/** The key of the reply to inquiry `id`: its messages, and the call task when no message can carry it. */
export function inquiryReplyKey(id: string): string {
  return `${inquiryKey(id)}/reply`;
}

/** The key of the task that gives a message nobody could send to a person (deliver by hand). */
export function undeliveredKey(key: string, channel: string): string {
  return `${key}/undelivered/${channel}`;
}

/** A key split at its first `#`: the step id and everything after (follow-up parts included). */
export function splitKey(key: string): { stepId: string; rest: string } | null {
  const hash = key.indexOf('#');
  return hash > 0 ? { stepId: key.slice(0, hash), rest: key.slice(hash + 1) } : null;
}

/** The step id of any key (`book_nt#1/escalate-2` → `book_nt`), or null. */
export function stepIdOfKey(key: string): string | null {
  const hash = key.indexOf('#');
  return hash > 0 ? key.slice(0, hash) : null;
}

/** The step id of an occurrence key only: null for follow-ups, call keys and malformed keys. */
export function stepIdOfOccurrence(key: string): string | null {
  const hash = key.indexOf('#');
  return hash > 0 && !key.includes('/') ? key.slice(0, hash) : null;
}

/** The outbox idempotency key of one message. */
export function messageKey(enrollmentId: string, key: string, channel: string): string {
  return `${enrollmentId}/${key}/${channel}`;
}

/** Parses an outbox idempotency key; null when it is not one. */
export function parseMessageKey(messageKey: string): { enrollmentId: string; key: string; channel: string } | null {
  const first = messageKey.indexOf('/');
  const last = messageKey.lastIndexOf('/');
  if (first <= 0 || last <= first + 1 || last === messageKey.length - 1) return null;
  return { enrollmentId: messageKey.slice(0, first), key: messageKey.slice(first + 1, last), channel: messageKey.slice(last + 1) };
}
