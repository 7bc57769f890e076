// A hand-coded Temporal workflow, the yardstick of bench/replay.bench.ts: no planner, no state,
// just the same activity calls and timers a journey made, batch by batch, with payloads of the
// same sizes. Workflow code: deterministic, activities imported as types only.
import { proxyActivities, sleep } from '@temporalio/workflow';
import type { HandCodedActivities } from '../support/hand-coded-activities.ts';

/** One workflow task's commands: activities scheduled together ([input bytes, result bytes]) and a timer (ms, 0 for none). */
export type Batch = [activities: [number, number][], timerMs: number];

const { work } = proxyActivities<HandCodedActivities>({ startToCloseTimeout: '30 seconds' });

/** Runs the batches in order: each batch's activities in parallel, then its timer. */
export async function handCodedWorkflow(batches: Batch[]): Promise<number> {
  let calls = 0;
  for (const [activities, timerMs] of batches) {
    const pending: Promise<unknown>[] = activities.map(([input, result]) => work('x'.repeat(input), result));
    if (timerMs > 0) pending.push(sleep(timerMs));
    await Promise.all(pending);
    calls += activities.length;
  }
  return calls;
}
