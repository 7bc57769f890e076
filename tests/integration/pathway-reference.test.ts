import { randomBytes, randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';
import { createActivities } from '../../activities/index.ts';
import { migrateToLatest } from '../../db/migrate.ts';
import { listOutboxMessages } from '../../db/repositories/outbox.ts';
import { startJourney } from '../../enrollment/start-journey.ts';
import { pathwayContents } from '../../platform/pathway-contents.ts';
import { AesGcmPayloadCodec, encryptingDataConverter, parseKeyRing } from '../../temporal/codec/index.ts';
import { createThrowawayDatabase, type ThrowawayDatabase } from '../support/database.ts';
import { compilePathway, journeyBundle, RecordingChannel } from '../support/journey-harness.ts';
import { testLogger } from '../support/logger.ts';

const fixture = fileURLToPath(new URL('../fixtures/pathways/daily-reminders.yaml', import.meta.url));

/**
 * The production data converter on real Temporal and PostgreSQL: a journey's history holds a
 * reference to its compiled pathway, at every run, and a worker that never compiled the pathway
 * (a fresh process after a deploy) reads it back from the database.
 */
describe('journey histories keep a reference to the compiled pathway', () => {
  let env: TestWorkflowEnvironment;
  let database: ThrowawayDatabase;
  const keyRing = parseKeyRing(`k1:${randomBytes(32).toString('base64')}`, { source: 'test' });

  const pathway = compilePathway(fixture);

  beforeAll(async () => {
    database = await createThrowawayDatabase();
    await migrateToLatest(database.db);
    // The client knows the pathway (it enrols); the worker below starts with an empty store.
    env = await TestWorkflowEnvironment.createTimeSkipping({
      server: { executable: { type: 'existing-path', path: inject('testServerPath') } },
      client: { dataConverter: encryptingDataConverter(keyRing, pathwayContents(database.db, [pathway])) },
    });
  });
  afterAll(async () => {
    await env?.teardown();
    await database?.drop();
  });

  it('runs a journey over several runs with only references in its inputs', async () => {
    const taskQueue = `ref-${randomUUID()}`;
    const channels = [new RecordingChannel('wechat'), new RecordingChannel('sms')];
    const worker = await Worker.create({
      connection: env.nativeConnection,
      taskQueue,
      workflowBundle: await journeyBundle(),
      dataConverter: encryptingDataConverter(keyRing, pathwayContents(database.db)),
      activities: createActivities({
        db: database.db,
        logger: testLogger,
        channels: new Map(channels.map((c) => [c.name, c])),
        renderTemplate: (id) => ({ text: id, fields: {} }),
      }),
    });
    const enrollmentId = randomUUID();
    const now = await env.currentTimeMs();
    const { workflowId, runId } = await startJourney(database.db, env.client, taskQueue, {
      enrollmentId,
      patientRef: `P-${enrollmentId.slice(0, 8)}`,
      tenant: 'test',
      butlerId: 'butler-1',
      pathway,
      anchors: { start: new Date(now + 8 * 3_600_000).toISOString().slice(0, 10) },
      enrolledAt: new Date(now).toISOString(),
      searchAttributes: false,
      replayBudget: { events: 80 },
    });
    const outcome = await worker.runUntil(() => env.client.workflow.getHandle(workflowId).result());
    expect(outcome).toMatchObject({ status: 'completed' });
    expect((outcome as { runs: number }).runs).toBeGreaterThan(2);
    expect(await listOutboxMessages(database.db, enrollmentId)).toHaveLength(40);

    // Every run's input, decrypted: the pathway is a reference, and the payload is small.
    const aes = new AesGcmPayloadCodec(keyRing);
    const inputs: { size: number; value: { pathway: unknown; journey: unknown } }[] = [];
    for (let run: string | null | undefined = runId; run;) {
      const history = await env.client.workflow.getHandle(workflowId, run).fetchHistory();
      const payload = history.events![0]!.workflowExecutionStartedEventAttributes!.input!.payloads![0]!;
      const [plain] = await aes.decode([payload]);
      inputs.push({ size: plain!.data!.length, value: JSON.parse(Buffer.from(plain!.data!).toString('utf8')) });
      expect(JSON.stringify(historyToJSON(history))).not.toContain('"steps"');
      run = history.events?.at(-1)?.workflowExecutionContinuedAsNewEventAttributes?.newExecutionRunId;
    }
    expect(inputs.length).toBe((outcome as { runs: number }).runs);

    // Activities and timers carry a one-line summary (pathway terms, encrypted like any payload).
    const first = await env.client.workflow.getHandle(workflowId, runId).fetchHistory();
    const summaries: Record<string, string[]> = {};
    for (const event of first.events ?? []) {
      const payload = event.userMetadata?.summary;
      if (!payload) continue;
      expect(payload.metadata?.encoding && Buffer.from(payload.metadata.encoding).toString()).toBe('binary/encrypted');
      const [plain] = await aes.decode([payload]);
      const kind = event.activityTaskScheduledEventAttributes
        ? 'activity'
        : event.timerStartedEventAttributes
          ? 'timer'
          : event.markerRecordedEventAttributes
            ? 'marker'
            : 'other';
      (summaries[kind] ??= []).push(JSON.parse(Buffer.from(plain!.data!).toString('utf8')) as string);
    }
    expect(summaries.activity?.[0]).toMatch(/^send [a-z_]+#\d+ \((wechat|sms)/);
    expect(summaries.marker?.[0]).toMatch(/^round: /);
    expect(summaries.timer?.[0]).toMatch(/^next planned moment \d{4}-\d\d-\d\dT\d\d:\d\d:\d\d\+08:00/);
    for (const { value } of inputs) expect(value.pathway).toEqual({ $pathway: { id: pathway.id, version: pathway.version, hash: pathway.hash } });
    // What an input holds besides the journey's own state is a few hundred bytes, not the pathway.
    for (const { size, value } of inputs) expect(size - JSON.stringify(value.journey).length).toBeLessThan(600);
    const stored = await database.db.selectFrom('pathway_contents').select(['hash', 'pathway_id']).execute();
    expect(stored).toEqual([{ hash: pathway.hash, pathway_id: pathway.id }]);
  });
});
