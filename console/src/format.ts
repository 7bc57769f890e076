import dayjs from 'dayjs';
import type { Translate } from './i18n.tsx';
import type { PatientAge } from './types.ts';

/** A time as staff read it: `2027-03-01 09:30` in this browser's time zone. */
export function formatTime(iso: string | null | undefined): string {
  return iso ? dayjs(iso).format('YYYY-MM-DD HH:mm') : '—';
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
