/**
 * Resolves an IANA time zone to a fixed UTC offset, so the planner can work without Intl.
 * Zones that change their offset during the year (daylight saving time) are rejected: the
 * planner would otherwise put messages an hour off for half of the year.
 */

export type TimezoneResult = { ok: true; offsetMinutes: number } | { ok: false; rule: 'unknown-timezone' | 'timezone-has-dst'; message: string };

const cache = new Map<string, TimezoneResult>();

/** Checks the zone over the coming years (2024–2040) and returns its single offset. */
export function resolveTimezone(name: string): TimezoneResult {
  let result = cache.get(name);
  if (!result) cache.set(name, (result = check(name)));
  return result;
}

function check(name: string): TimezoneResult {
  let format: Intl.DateTimeFormat;
  try {
    format = new Intl.DateTimeFormat('en-US', { timeZone: name, timeZoneName: 'longOffset' });
  } catch {
    return { ok: false, rule: 'unknown-timezone', message: `unknown time zone '${name}' (use an IANA name such as Asia/Shanghai)` };
  }
  const offsets = new Set<number>();
  for (let year = 2024; year <= 2040; year++) {
    for (let month = 0; month < 12; month++) offsets.add(offsetAt(format, Date.UTC(year, month, 15, 12)));
  }
  if (offsets.size > 1) {
    const list = [...offsets]
      .sort((a, b) => a - b)
      .map(formatOffset)
      .join(' and ');
    return {
      ok: false,
      rule: 'timezone-has-dst',
      message: `time zone '${name}' observes daylight saving time (${list}); pathways need a zone with one fixed offset, e.g. Asia/Shanghai`,
    };
  }
  return { ok: true, offsetMinutes: [...offsets][0] ?? 0 };
}

function offsetAt(format: Intl.DateTimeFormat, ms: number): number {
  const text = format.formatToParts(new Date(ms)).find((p) => p.type === 'timeZoneName')?.value ?? 'GMT';
  const m = /GMT([+-])(\d{2}):?(\d{2})?/.exec(text);
  if (!m) return 0;
  return (m[1] === '-' ? -1 : 1) * (Number(m[2]) * 60 + Number(m[3] ?? 0));
}

function formatOffset(minutes: number): string {
  const sign = minutes < 0 ? '-' : '+';
  const abs = Math.abs(minutes);
  return `UTC${sign}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}
