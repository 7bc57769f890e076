/** Stage lookup: the first declared stage whose span contains an instant. */
import type { PlanContext } from './context.ts';
import { resolveRef } from './context.ts';

export interface StageSpan {
  id: string;
  from: number | null;
  until: number | null;
}

/** Resolves every stage's bounds (null while an anchor is unknown). */
export function stageSpans(ctx: PlanContext): StageSpan[] {
  return ctx.pathway.stages.map((s) => ({
    id: s.id,
    from: resolveRef(ctx, s.from, 'start'),
    until: resolveRef(ctx, s.until, 'end'),
  }));
}

/** The stage an instant falls in, if any. */
export function stageAt(spans: StageSpan[], ms: number): string | undefined {
  return spans.find((s) => s.from !== null && s.until !== null && ms >= s.from && ms <= s.until)?.id;
}
