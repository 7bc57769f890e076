// The replay budget of one journey run. A worker with an empty cache (after a restart or a
// deploy) replays a run from its first event before it can act, and this SDK's replay of a
// journey costs about 0.45 ms of CPU per event on the reference machine (bench/replay.bench.ts):
// a run continues as new well before a cold replay of it could cost half a second, with room
// for a loaded machine. Planning rounds bound the work between events (most runs end on them).
import type { WorkflowInfo } from '@temporalio/workflow';

export interface ReplayBudget {
  /** History events of one run. */
  events: number;
  /** History bytes of one run (payloads dominate: decoding them is part of a replay). */
  bytes: number;
  /** Planning rounds of one run (each is a plan call and its bookkeeping, replayed too). */
  rounds: number;
}

/**
 * The budget given to new enrolments, pinned into each journey's input (and carried to its next
 * runs): changing it changes new journeys only. A run whose input has none (one handed over
 * from workflow version 1) reads this value, so change it behind `patched()`.
 */
export const DEFAULT_REPLAY_BUDGET: ReplayBudget = { events: 800, bytes: 512 * 1024, rounds: 150 };

/** Why the run should continue as new now, or null while it is within its budget. */
export function replayBudgetExceeded(
  info: Pick<WorkflowInfo, 'historyLength' | 'historySize' | 'continueAsNewSuggested'>,
  rounds: number,
  budget: Partial<ReplayBudget> = DEFAULT_REPLAY_BUDGET,
): string | null {
  if (info.historyLength >= (budget.events ?? DEFAULT_REPLAY_BUDGET.events)) return 'history-events';
  if (info.historySize >= (budget.bytes ?? DEFAULT_REPLAY_BUDGET.bytes)) return 'history-bytes';
  if (rounds >= (budget.rounds ?? DEFAULT_REPLAY_BUDGET.rounds)) return 'planning-rounds';
  if (info.continueAsNewSuggested) return 'server-suggested';
  return null;
}
