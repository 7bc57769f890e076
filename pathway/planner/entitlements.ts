/**
 * Entitlement balances (e.g. 3 green-channel visits a journey, 24 consultations a year and 2 a
 * month). Periods run from the enrolment time: year k is [enrolment + k years, + k+1 years).
 */
import type { CompiledEntitlement } from '../model/compiled.ts';
import type { EntitlementBalance } from '../model/journey.ts';
import type { PlanContext } from './context.ts';
import { addLocalMonths } from './time.ts';

/** Remaining balance at instant `at`: the tightest of the entitlement's limits. */
export function balanceAt(ctx: PlanContext, ent: CompiledEntitlement, uses: number[], at: number): EntitlementBalance {
  let remaining = Infinity;
  let usedInTightest = 0;
  for (const limit of ent.limits) {
    const [from, to] = periodOf(ctx, limit.per, at);
    const used = uses.filter((u) => u >= from && u < to && u <= at).length;
    const left = Math.max(0, limit.quota - used);
    if (left < remaining) {
      remaining = left;
      usedInTightest = used;
    }
  }
  const balance: EntitlementBalance = { remaining: remaining === Infinity ? 0 : remaining, used: usedInTightest };
  if (ent.enforced === false) balance.enforced = false;
  return balance;
}

function periodOf(ctx: PlanContext, per: 'journey' | 'year' | 'month', at: number): [number, number] {
  if (per === 'journey') return [-Infinity, Infinity];
  const months = per === 'year' ? 12 : 1;
  let k = 0;
  while (addLocalMonths(ctx.enrolledAt, (k + 1) * months, ctx.offset) <= at && k < 1_200) k++;
  return [addLocalMonths(ctx.enrolledAt, k * months, ctx.offset), addLocalMonths(ctx.enrolledAt, (k + 1) * months, ctx.offset)];
}
