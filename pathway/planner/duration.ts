/** Durations (`13w6d`, `36h`, `30min`) and clock times (`09:00`) as whole minutes: one syntax for the compiler, the planner and scenarios. */

const DURATION = /^(?=\d)(?:(\d+)w)?(?:(\d+)d)?(?:(\d+)h)?(?:(\d+)min)?$/;

export interface Duration {
  minutes: number;
  /** True when it has an hours or minutes part (it is not whole days). */
  subDay: boolean;
}

/** Parses a duration; null when it is not one. */
export function parseDuration(text: string): Duration | null {
  const m = DURATION.exec(text);
  if (!m) return null;
  const [, w, d, h, min] = m;
  const minutes = (Number(w ?? 0) * 7 + Number(d ?? 0)) * 1440 + Number(h ?? 0) * 60 + Number(min ?? 0);
  return { minutes, subDay: h !== undefined || min !== undefined };
}

/** Parses `HH:MM` into minutes after midnight; null when malformed. */
export function parseClock(text: string): number | null {
  const m = /^([01]\d|2[0-3]):([0-5]\d)$/.exec(text);
  return m ? Number(m[1]) * 60 + Number(m[2]) : null;
}

/** Formats minutes as a duration the way coordinators write it (e.g. `13w6d`, `2d12h`). */
export function formatDuration(minutes: number): string {
  const sign = minutes < 0 ? '-' : '';
  let rest = Math.abs(minutes);
  const parts: string[] = [];
  const days = Math.floor(rest / 1440);
  rest -= days * 1440;
  if (days >= 7) parts.push(`${Math.floor(days / 7)}w`);
  if (days % 7) parts.push(`${days % 7}d`);
  if (rest >= 60) parts.push(`${Math.floor(rest / 60)}h`);
  if (rest % 60) parts.push(`${rest % 60}min`);
  return sign + (parts.join('') || '0d');
}
