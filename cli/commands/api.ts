import { runPlatform } from './start.ts';

/**
 * `carepath api`: only the HTTP API, against the Temporal cluster and PostgreSQL named by
 * TEMPORAL_ADDRESS and DATABASE_URL, with its own event loop (no worker beside it). Run as many as
 * the load needs behind one address; the journeys run on `carepath worker` processes.
 */
export async function run(_argv: string[]): Promise<number> {
  return runPlatform('api');
}
