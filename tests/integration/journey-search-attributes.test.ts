import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { describe, expect, it } from 'vitest';
import { loadConfig } from '../../config/load-config.ts';
import { startJourney } from '../../enrollment/start-journey.ts';
import { ensureSearchAttributes } from '../../temporal/search-attributes.ts';
import { compilePathway, eventually, RecordingChannel, useDevServerJourneys } from '../support/journey-harness.ts';

const pregnancyFixture = fileURLToPath(new URL('../pathway/fixtures/valid/pregnancy.yaml', import.meta.url));

describe('operators find journeys by search attributes (real dev server)', () => {
  const t = useDevServerJourneys([new RecordingChannel('wechat'), new RecordingChannel('sms')], (connection) =>
    ensureSearchAttributes(connection, 'default', loadConfig({ env: {} }).temporal.searchAttributes),
  );

  it('indexes program, pathway version, stage, status, butler and the pseudonymous patient reference', async () => {
    const { client, database, taskQueue } = t;
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
