import { fileURLToPath } from 'node:url';
import type { DataConverter } from '@temporalio/common';
import { Worker, type NativeConnection, type WorkflowBundlePath } from '@temporalio/worker';
import type { Activities } from '../activities/index.ts';

export const DEFAULT_WORKFLOWS_PATH = fileURLToPath(new URL('../workflows/index.ts', import.meta.url));

/** A worker for carepath's task queue: the journey workflows plus the activities built for it. */
export async function createWorker(options: {
  connection: NativeConnection;
  namespace: string;
  taskQueue: string;
  activities: Activities;
  /** The prebuilt workflow bundle (./workflow-bundle.ts); without one, the workflows are bundled now. */
  workflowBundle?: WorkflowBundlePath;
  workflowsPath?: string;
  /** Encrypts payloads (temporal/codec): client and worker must use the same one. */
  dataConverter?: DataConverter;
  /** Journeys kept in memory between workflow tasks (CAREPATH_WORKER_MAX_CACHED_WORKFLOWS); 0 turns sticky execution off. */
  maxCachedWorkflows?: number;
}): Promise<Worker> {
  return Worker.create({
    connection: options.connection,
    namespace: options.namespace,
    taskQueue: options.taskQueue,
    ...(options.workflowBundle ? { workflowBundle: options.workflowBundle } : { workflowsPath: options.workflowsPath ?? DEFAULT_WORKFLOWS_PATH }),
    activities: options.activities,
    ...(options.dataConverter ? { dataConverter: options.dataConverter } : {}),
    ...(options.maxCachedWorkflows !== undefined ? { maxCachedWorkflows: options.maxCachedWorkflows } : {}),
  });
}
