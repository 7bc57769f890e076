import { randomUUID } from 'node:crypto';
import { fileURLToPath } from 'node:url';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { Worker } from '@temporalio/worker';
import { afterAll, beforeAll, describe, expect, inject, it } from 'vitest';

const workflowsPath = fileURLToPath(new URL('../fixtures/smoke-workflows.ts', import.meta.url));
const DAY = 24 * 60 * 60 * 1000;

describe('time-skipping test server (Java, from Maven Central)', () => {
  let env: TestWorkflowEnvironment;

  beforeAll(async () => {
    env = await TestWorkflowEnvironment.createTimeSkipping({
      server: { executable: { type: 'existing-path', path: inject('testServerPath') } },
    });
  });
  afterAll(async () => {
    await env?.teardown();
  });

  it('completes a workflow that sleeps 30 days', async () => {
    const taskQueue = `skip-${randomUUID()}`;
    const worker = await Worker.create({ connection: env.nativeConnection, taskQueue, workflowsPath });
    const elapsed = await worker.runUntil(env.client.workflow.execute('sleepDays', { taskQueue, workflowId: `skip-${randomUUID()}`, args: [30] }));
    // The workflow's own clock moved 30 days; without time skipping this test would time out.
    expect(elapsed).toBeGreaterThanOrEqual(30 * DAY);
    expect(elapsed).toBeLessThan(31 * DAY);
  });
});
