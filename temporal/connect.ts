import { Client, Connection } from '@temporalio/client';
import type { DataConverter } from '@temporalio/common';
import { NativeConnection } from '@temporalio/worker';
import { CarepathError } from '../errors/carepath-error.ts';
import type { TemporalSettings } from '../config/load-config.ts';
import { connectionOptions } from './connection-options.ts';

type Reachable = TemporalSettings & { address: string };

/**
 * Connects a client and checks that the namespace exists, failing with one clear line when the
 * cluster is unreachable, refuses the credentials, or lacks the namespace.
 */
export async function connectClient(settings: Reachable, dataConverter?: DataConverter): Promise<{ connection: Connection; client: Client }> {
  let connection: Connection;
  try {
    connection = await Connection.connect({ ...connectionOptions(settings), connectTimeout: '5s' });
  } catch (err) {
    throw unreachable(settings, err);
  }
  try {
    await connection.workflowService.describeNamespace({ namespace: settings.namespace });
  } catch (err) {
    await connection.close();
    const code = (err as { code?: number }).code;
    if (code === 5 /* NOT_FOUND */) {
      throw new CarepathError('temporal-namespace-missing', `Temporal namespace '${settings.namespace}' does not exist at ${settings.address}`);
    }
    throw unreachable(settings, err);
  }
  return { connection, client: new Client({ connection, namespace: settings.namespace, ...(dataConverter ? { dataConverter } : {}) }) };
}

/** The worker's native connection to the same cluster. */
export async function connectWorker(settings: Reachable): Promise<NativeConnection> {
  try {
    return await NativeConnection.connect(connectionOptions(settings));
  } catch (err) {
    throw unreachable(settings, err);
  }
}

function unreachable(settings: Reachable, err: unknown): CarepathError {
  const reason = ((err as Error).message ?? String(err)).split('\n')[0];
  return new CarepathError('temporal-unreachable', `cannot reach Temporal at ${settings.address} (namespace ${settings.namespace}): ${reason}`);
}
