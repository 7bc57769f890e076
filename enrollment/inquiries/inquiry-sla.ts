/**
 * The response target of a patient inquiry (service-level agreement of the hospitals' tenders):
 * between 08:00 and 22:00 Asia/Shanghai answered within 30 minutes; asked at night, answered by
 * 08:30; marked urgent, "紧急情况立即响应" (001, 004) — answered within 5 minutes, day or night —
 * and escalated to the butlers' lead when missed.
 */

const MINUTE = 60_000;
const DAY_MINUTES = 24 * 60;
/** Asia/Shanghai has no daylight saving time: UTC+8 all year. */
export const SHANGHAI_OFFSET_MINUTES = 8 * 60;
export const SERVICE_DAY_START = 8 * 60;
export const SERVICE_DAY_END = 22 * 60;
export const RESPONSE_MINUTES = 30;
/** Asked at night: answered by 08:30 the next service morning. */
export const NIGHT_DUE_MINUTES = 8 * 60 + 30;
/**
 * "立即响应" made measurable: an urgent inquiry is due within these minutes, day or night, and
 * escalated when nobody answered by then (an answer in seconds meets the target).
 */
export const URGENT_RESPONSE_MINUTES = 5;

export interface InquiryDeadline {
  /** When the answer is due (the response task's due time). */
  dueAt: Date;
  /** When the inquiry is escalated if still unanswered. */
  escalateAt: Date;
}

/** The due and escalation times of an inquiry asked at `askedAt`. */
export function inquiryDeadline(askedAt: Date, urgent: boolean): InquiryDeadline {
  const asked = askedAt.getTime();
  if (urgent) {
    const due = new Date(asked + URGENT_RESPONSE_MINUTES * MINUTE);
    return { dueAt: due, escalateAt: due };
  }
  const localMs = asked + SHANGHAI_OFFSET_MINUTES * MINUTE;
  const localMinuteOfDay = Math.floor(localMs / MINUTE) % DAY_MINUTES;
  let due: number;
  if (localMinuteOfDay >= SERVICE_DAY_START && localMinuteOfDay < SERVICE_DAY_END) {
    due = asked + RESPONSE_MINUTES * MINUTE;
  } else {
    const localMidnight = Math.floor(localMs / (DAY_MINUTES * MINUTE)) * DAY_MINUTES * MINUTE;
    const morning = localMidnight + (localMinuteOfDay >= SERVICE_DAY_END ? DAY_MINUTES : 0) * MINUTE + NIGHT_DUE_MINUTES * MINUTE;
    due = morning - SHANGHAI_OFFSET_MINUTES * MINUTE;
  }
  return { dueAt: new Date(due), escalateAt: new Date(due) };
}
