import dayjs, { type Dayjs } from 'dayjs';
import utc from 'dayjs/plugin/utc';
import type { Translate } from './i18n.tsx';
import type { PatientAge, TimeZone } from './types.ts';

dayjs.extend(utc);

// Staff read and enter times in the hospital's zone, whatever zone their computer is set to (a
// laptop left on UTC, a doctor abroad): the API says which (GET /v1/session).
let hospitalOffset: number | null = null;

/** Sets the zone every time is shown in (from the session). */
export function setHospitalZone(zone: TimeZone | undefined): void {
  hospitalOffset = zone?.offsetMinutes ?? null;
}

function offsetNow(): number {
  return hospitalOffset ?? dayjs().utcOffset();
}

/**
 * A time as staff read it: `2027-03-01 09:30` in the hospital's time zone, or in `zone` when
 * given (a task's, whose date-times are entered in it: what is shown is then what is typed).
 */
export function formatTime(iso: string | null | undefined, zone?: TimeZone): string {
  return iso
    ? dayjs(iso)
        .utcOffset(zone?.offsetMinutes ?? offsetNow())
        .format('YYYY-MM-DD HH:mm')
    : '—';
}

/** `+08:00` for 480. */
export function offsetText(minutes: number): string {
  const abs = Math.abs(minutes);
  return `${minutes < 0 ? '-' : '+'}${String(Math.floor(abs / 60)).padStart(2, '0')}:${String(abs % 60).padStart(2, '0')}`;
}

/**
 * What a date-time picker's value means: the date and time it shows (pickers show wall clocks)
 * read in `zone`, e.g. `2027-03-01T09:30:00+08:00` — not the browser's zone.
 */
export function zonedTime(value: Dayjs, zone: TimeZone | undefined): string {
  return `${value.format('YYYY-MM-DDTHH:mm')}:00${offsetText(zone?.offsetMinutes ?? offsetNow())}`;
}

/** Midnight starting a picked day in the hospital's zone. */
export function zonedDayStart(value: Dayjs): string {
  return `${value.format('YYYY-MM-DD')}T00:00:00${offsetText(offsetNow())}`;
}

/** Now as a picker shows it: the hospital's wall clock (a value for a picker, not an instant). */
export function hospitalWallClock(): Dayjs {
  return dayjs(dayjs().utcOffset(offsetNow()).format('YYYY-MM-DDTHH:mm:ss'));
}

/** A duration in words: `2 小时 15 分` / `2 h 15 min`. */
export function formatDuration(ms: number, lang: 'zh' | 'en'): string {
  const minutes = Math.max(1, Math.round(Math.abs(ms) / 60_000));
  const days = Math.floor(minutes / 1440);
  const hours = Math.floor((minutes % 1440) / 60);
  const mins = minutes % 60;
  const parts =
    lang === 'zh'
      ? [
          [days, ' 天'],
          [hours, ' 小时'],
          [mins, ' 分'],
        ]
      : [
          [days, ' d'],
          [hours, ' h'],
          [mins, ' min'],
        ];
  return (parts as [number, string][])
    .filter(([n]) => n > 0)
    .slice(0, 2)
    .map(([n, unit]) => `${n}${unit}`)
    .join(' ');
}

/** The SLA clock of a due time: overdue or left, and whether it is overdue. */
export function dueClock(dueAt: string | null, now: number, t: Translate, lang: 'zh' | 'en'): { text: string; overdue: boolean } {
  if (!dueAt) return { text: t('noDue'), overdue: false };
  const left = Date.parse(dueAt) - now;
  return left < 0
    ? { text: t('overdue', { d: formatDuration(left, lang) }), overdue: true }
    : { text: t('dueIn', { d: formatDuration(left, lang) }), overdue: false };
}

/** Where a patient is in her program: `孕 22+3 周`, `CD12`, `D+30`, `产后D+7`. */
export function formatAge(age: PatientAge | null | undefined, lang: 'zh' | 'en'): string {
  if (!age) return '—';
  if (age.style === 'gestational-age') return lang === 'zh' ? `孕 ${age.label} 周` : `${age.label} weeks`;
  return age.label;
}
