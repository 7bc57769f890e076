/**
 * Age labels for the timeline: gestational age `22+3`, cycle day `CD12`, or days since `D+30`;
 * after the birth (`postpartum_from`), days after it: `产后D+7`.
 */
import type { CompiledPathway } from '../model/compiled.ts';
import { localDayDiff } from './time.ts';

/** Label of instant `ms` for the pathway's age display, or undefined without one (or its anchor). */
export function ageLabel(pathway: CompiledPathway, anchors: Map<string, number>, ms: number): string | undefined {
  const display = pathway.ageDisplay;
  if (!display) return undefined;
  const birth = display.postpartumFrom ? anchors.get(display.postpartumFrom) : undefined;
  if (birth !== undefined && ms >= birth) return `产后D+${localDayDiff(birth, ms, pathway.timezone.offsetMinutes)}`;
  const anchor = anchors.get(display.anchor);
  if (anchor === undefined) return undefined;
  const days = localDayDiff(anchor, ms, pathway.timezone.offsetMinutes);
  switch (display.style) {
    case 'gestational-age':
      return days < 0 ? undefined : `${Math.floor(days / 7)}+${days % 7}`;
    case 'cycle-day':
      return `CD${days + 1}`;
    case 'days-since':
      return days < 0 ? `D${days}` : `D+${days}`;
  }
}
