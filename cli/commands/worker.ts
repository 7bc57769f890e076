import { runPlatform } from './start.ts';

/**
 * `carepath worker`: only the journey worker, against the Temporal cluster and PostgreSQL named by
 * TEMPORAL_ADDRESS and DATABASE_URL. Run as many as the load needs; they share the task queue.
 */
export async function run(_argv: string[]): Promise<number> {
  return runPlatform('worker');
}
