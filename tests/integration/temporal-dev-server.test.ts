import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createActivities } from '../../activities/index.ts';
import { migrateToLatest } from '../../db/migrate.ts';
import { createThrowawayDatabase, type ThrowawayDatabase } from '../support/database.ts';
import { testLogger } from '../support/logger.ts';

const workflowsPath = fileURLToPath(new URL('../fixtures/smoke-workflows.ts', import.meta.url));

describe('Temporal dev server (real server, real PostgreSQL)', () => {
  let database: ThrowawayDatabase;
  let connection: Connection;
  let nativeConnection: NativeConnection;

  beforeAll(async () => {
    database = await createThrowawayDatabase();
    await migrateToLatest(database.db);
    connection = await Connection.connect({ address: inject('temporalAddress') });
    nativeConnection = await NativeConnection.connect({ address: inject('temporalAddress') });
  });
  afterAll(async () => {
    await connection?.close();
    await nativeConnection?.close();
    await database?.drop();
  });

  it('runs a workflow whose activity writes to PostgreSQL', async () => {
    const taskQueue = `smoke-${randomUUID()}`;
    const worker = await Worker.create({
      connection: nativeConnection,
      taskQueue,
      workflowsPath,
      activities: createActivities({ db: database.db, logger: testLogger, channels: new Map(), renderTemplate: () => ({ text: '', fields: {} }) }),
    });
    const client = new Client({ connection });
    const resourceId = randomUUID();
    const result = await worker.runUntil(client.workflow.execute('auditedGreeting', { taskQueue, workflowId: `smoke-${resourceId}`, args: [resourceId] }));
    expect(result).toBe(`recorded ${resourceId}`);
    const rows = await database.db.selectFrom('audit_log').selectAll().where('resource_id', '=', resourceId).execute();
    expect(rows).toHaveLength(1);
    expect(rows[0]).toMatchObject({ action: 'smoke.greet', actor: 'system', resource_type: 'smoke' });
  });
});
