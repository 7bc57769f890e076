/**
 * Deterministic date math in a fixed UTC offset. No clock, no Intl: every function maps its
 * arguments to a result, so the same inputs give the same instants inside a workflow sandbox.
 * Instants are epoch milliseconds; `offset` is the pathway's UTC offset in minutes.
 */

export const MINUTE = 60_000;
export const DAY = 1_440 * MINUTE;

const ISO = /^(\d{4})-(\d{2})-(\d{2})(?:[T ](\d{2}):(\d{2})(?::(\d{2})(?:\.(\d{1,9}))?)?(Z|[+-]\d{2}:?\d{2})?)?$/;

export interface ParsedTime {
  ms: number;
  /** True when the text was a bare calendar date (`YYYY-MM-DD`). */
  dateOnly: boolean;
}

/**
 * The years and UTC offsets of the times the platform handles: nothing in care happens outside
 * them, and PostgreSQL refuses offsets beyond ±15:59 (real ones lie within −12:00…+14:00).
 */
export const TIME_LIMITS = { minYear: 1900, maxYear: 2999, maxOffsetMinutes: 15 * 60 + 59 } as const;

/**
 * Parses `YYYY-MM-DD` (local midnight) or an ISO date-time (local when it has no offset); null
 * when it is not one, or lies outside TIME_LIMITS.
 */
export function parseTime(text: string, offset: number): ParsedTime | null {
  const m = ISO.exec(text.trim());
  if (!m) return null;
  const [, y, mo, d, h, mi, s, frac, zone] = m;
  const year = Number(y),
    month = Number(mo),
    day = Number(d);
  if (year < TIME_LIMITS.minYear || year > TIME_LIMITS.maxYear) return null;
  if (month < 1 || month > 12 || day < 1 || day > daysInMonth(year, month)) return null;
  const hour = Number(h ?? 0),
    minute = Number(mi ?? 0),
    second = Number(s ?? 0);
  if (hour > 23 || minute > 59 || second > 59) return null;
  const millis = frac ? Math.floor(Number(`0.${frac}`) * 1000) : 0;
  let zoneMinutes = offset;
  if (zone === 'Z') zoneMinutes = 0;
  else if (zone) {
    const sign = zone.startsWith('-') ? -1 : 1;
    const digits = zone.slice(1).replace(':', '');
    const minutes = Number(digits.slice(2, 4));
    zoneMinutes = sign * (Number(digits.slice(0, 2)) * 60 + minutes);
    if (minutes > 59 || Math.abs(zoneMinutes) > TIME_LIMITS.maxOffsetMinutes) return null;
  }
  const ms = Date.UTC(year, month - 1, day, hour, minute, second, millis) - zoneMinutes * MINUTE;
  return { ms, dateOnly: h === undefined };
}

/** Formats an instant as ISO 8601 with the given offset, e.g. `2027-03-01T09:00:00+08:00`. */
export function formatTime(ms: number, offset: number): string {
  const local = new Date(ms + offset * MINUTE);
  const sign = offset < 0 ? '-' : '+';
  const abs = Math.abs(offset);
  const zone = offset === 0 ? 'Z' : `${sign}${pad(Math.floor(abs / 60))}:${pad(abs % 60)}`;
  return (
    `${local.getUTCFullYear()}-${pad(local.getUTCMonth() + 1)}-${pad(local.getUTCDate())}` +
    `T${pad(local.getUTCHours())}:${pad(local.getUTCMinutes())}:${pad(local.getUTCSeconds())}${zone}`
  );
}

/** Formats the local calendar day of an instant as `YYYY-MM-DD`. */
export function formatDate(ms: number, offset: number): string {
  return formatTime(ms, offset).slice(0, 10);
}

/** Local midnight at or before an instant. */
export function startOfLocalDay(ms: number, offset: number): number {
  const local = ms + offset * MINUTE;
  return local - mod(local, DAY) - offset * MINUTE;
}

/** Minutes after local midnight. */
export function minuteOfDay(ms: number, offset: number): number {
  return Math.floor(mod(ms + offset * MINUTE, DAY) / MINUTE);
}

/** True when `[start, end)` (minutes after midnight, may wrap midnight) contains the instant. */
export function inQuietHours(ms: number, offset: number, quiet: { start: number; end: number }): boolean {
  if (quiet.start === quiet.end) return false;
  const m = minuteOfDay(ms, offset);
  return quiet.start < quiet.end ? m >= quiet.start && m < quiet.end : m >= quiet.start || m < quiet.end;
}

/** The first instant at or after `ms` outside quiet hours. */
export function afterQuietHours(ms: number, offset: number, quiet: { start: number; end: number }): number {
  if (!inQuietHours(ms, offset, quiet)) return ms;
  let end = startOfLocalDay(ms, offset) + quiet.end * MINUTE;
  if (end <= ms) end += DAY;
  return end;
}

/** Adds calendar months in local time, clamping the day (31 Jan + 1 month = 28/29 Feb). */
export function addLocalMonths(ms: number, months: number, offset: number): number {
  const local = new Date(ms + offset * MINUTE);
  const total = local.getUTCFullYear() * 12 + local.getUTCMonth() + months;
  const year = Math.floor(total / 12);
  const month = mod(total, 12) + 1;
  const day = Math.min(local.getUTCDate(), daysInMonth(year, month));
  const timeOfDay = mod(ms + offset * MINUTE, DAY);
  return Date.UTC(year, month - 1, day) + timeOfDay - offset * MINUTE;
}

/** Whole local calendar days from `fromMs`'s day to `toMs`'s day. */
export function localDayDiff(fromMs: number, toMs: number, offset: number): number {
  return Math.round((startOfLocalDay(toMs, offset) - startOfLocalDay(fromMs, offset)) / DAY);
}

function daysInMonth(year: number, month: number): number {
  return new Date(Date.UTC(year, month, 0)).getUTCDate();
}

function mod(a: number, b: number): number {
  return ((a % b) + b) % b;
}

function pad(n: number): string {
  return String(n).padStart(2, '0');
}
