// A hand-coded Temporal workflow, the yardstick of bench/replay.bench.ts: no planner, no state,
// just the same activity calls and timers a journey made, batch by batch, with payloads of the
// same sizes. Workflow code: deterministic, activities imported as types only.
import { proxyActivities, proxyLocalActivities, sleep } from '@temporalio/workflow';
import type { HandCodedActivities } from '../support/hand-coded-activities.ts';

/**
 * One workflow task's commands: activities scheduled together ([input bytes, result bytes]), a
 * timer (ms, 0 for none) and local activities (result bytes; their inputs are not in a history).
 */
export type Batch = [activities: [number, number][], timerMs: number, locals?: number[]];

const { work } = proxyActivities<HandCodedActivities>({ startToCloseTimeout: '30 seconds' });
const local = proxyLocalActivities<HandCodedActivities>({ startToCloseTimeout: '30 seconds' });

/** Runs the batches in order: each batch's activities and local activities in parallel, then its timer. */
export async function handCodedWorkflow(batches: Batch[]): Promise<number> {
  let calls = 0;
  for (const [activities, timerMs, locals = []] of batches) {
    const pending: Promise<unknown>[] = activities.map(([input, result]) => work('x'.repeat(input), result));
    for (const result of locals) pending.push(local.work('', result));
    if (timerMs > 0) pending.push(sleep(timerMs));
    await Promise.all(pending);
    calls += activities.length + locals.length;
  }
  return calls;
}
