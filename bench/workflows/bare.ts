// The bare baseline of bench/api.bench.ts: a workflow that only waits and answers an update at
// once, so that a start and an update cost what the engine alone costs.
import { condition, defineUpdate, setHandler } from '@temporalio/workflow';

export const echoUpdate = defineUpdate<unknown, [unknown]>('echo');

export async function bareWorkflow(_input: unknown): Promise<void> {
  setHandler(echoUpdate, (value) => value);
  await condition(() => false);
}
