import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createActivities } from '../../activities/index.ts';
import { loadConfig } from '../../config/load-config.ts';
import { migrateToLatest } from '../../db/migrate.ts';
import { startJourney } from '../../enrollment/start-journey.ts';
import { ensureSearchAttributes } from '../../temporal/search-attributes.ts';
import { createThrowawayDatabase, type ThrowawayDatabase } from '../support/database.ts';
import { compilePathway, eventually, journeyBundle, RecordingChannel } from '../support/journey-harness.ts';
import { testLogger } from '../support/logger.ts';

const pregnancyFixture = fileURLToPath(new URL('../pathway/fixtures/valid/pregnancy.yaml', import.meta.url));

describe('operators find journeys by search attributes (real dev server)', () => {
  let database: ThrowawayDatabase;
  let connection: Connection;
  let nativeConnection: NativeConnection;
  let worker: Worker;
  let running: Promise<void>;
  const taskQueue = `sa-${randomUUID()}`;

  beforeAll(async () => {
    database = await createThrowawayDatabase();
    await migrateToLatest(database.db);
    connection = await Connection.connect({ address: inject('temporalAddress') });
    nativeConnection = await NativeConnection.connect({ address: inject('temporalAddress') });
    await ensureSearchAttributes(connection, 'default', loadConfig({ env: {} }).temporal.searchAttributes);
    worker = await Worker.create({
      connection: nativeConnection,
      taskQueue,
      workflowBundle: await journeyBundle(),
      activities: createActivities({
        db: database.db,
        logger: testLogger,
        channels: new Map([
          ['wechat', new RecordingChannel('wechat')],
          ['sms', new RecordingChannel('sms')],
        ]),
        renderTemplate: () => 'text',
      }),
    });
    running = worker.run();
  });
  afterAll(async () => {
    worker?.shutdown();
    await running;
    await connection?.close();
    await nativeConnection?.close();
    await database?.drop();
  });

  it('indexes program, pathway version, stage, status, butler and the pseudonymous patient reference', async () => {
    const client = new Client({ connection });
    const pathway = compilePathway(pregnancyFixture);
    const patientRef = `P-${randomUUID().slice(0, 8)}`;
    const lmp = new Date(Date.now() + 8 * 3_600_000 - 60 * 86_400_000).toISOString().slice(0, 10);
    const { workflowId } = await startJourney(database.db, client, taskQueue, {
      enrollmentId: randomUUID(),
      patientRef,
      tenant: 'hospital-a',
      butlerId: 'butler-7',
      pathway,
      anchors: { lmp },
      enrolledAt: new Date().toISOString(),
    });
    expect(workflowId).toBe(`journey/hospital-a/obstetrics.pregnancy-demo/${patientRef}`);

    const query = [
      `CarepathProgram = 'obstetrics'`,
      `CarepathStage = 'first_trimester'`,
      `CarepathStatus = 'active'`,
      `CarepathButler = 'butler-7'`,
      `CarepathTenant = 'hospital-a'`,
      `CarepathPatientRef = '${patientRef}'`,
      `CarepathPathwayVersion STARTS_WITH 'obstetrics.pregnancy-demo@'`,
      `CarepathNextActionAt > '2000-01-01T00:00:00Z'`,
    ].join(' AND ');
    await eventually(async () => {
      const found: string[] = [];
      for await (const execution of client.workflow.list({ query })) found.push(execution.workflowId);
      expect(found).toEqual([workflowId]);
    }, 20_000);

    await expect(
      startJourney(database.db, client, taskQueue, {
        enrollmentId: randomUUID(),
        patientRef,
        tenant: 'hospital-a',
        butlerId: null,
        pathway,
        anchors: { lmp },
        enrolledAt: new Date().toISOString(),
      }),
    ).rejects.toMatchObject({ code: 'conflict' });
  });
});
