import type { Client, Connection } from '@temporalio/client';
import type { Kysely } from 'kysely';
import type { Database } from '../db/database.ts';
import type { PathwayRegistry } from '../pathway/registry.ts';

/** What the HTTP app needs from the process that boots it. */
export interface AppDeps {
  db: Kysely<Database>;
  /** The pathways offered for new enrolments, compiled at start. */
  pathways: PathwayRegistry;
  temporal: { connection: Connection; client: Client; namespace: string; taskQueue: string };
}
