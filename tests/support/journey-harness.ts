import { randomUUID } from 'node:crypto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { afterAll, beforeAll, inject } from 'vitest';
import { migrateToLatest } from '../../db/migrate.ts';
import type { DataConverter } from '@temporalio/common';
import { Client, Connection } from '@temporalio/client';
import { NativeConnection, Worker, type WorkflowBundlePath } from '@temporalio/worker';
import { pathwayContents } from '../../platform/pathway-contents.ts';
import { PathwayReferenceCodec, PAYLOAD_CONVERTER_PATH } from '../../temporal/codec/index.ts';
import { silentProgress } from '../../infra/progress.ts';
import { ensureWorkflowBundle } from '../../worker/workflow-bundle.ts';
import { createActivities, type ActivityDeps } from '../../activities/index.ts';
import type { Channel, OutboundMessage } from '../../channels/channel.ts';
import { compileFile } from '../../pathway/compiler/compile.ts';
import type { CompiledPathway } from '../../pathway/planner/index.ts';
import { startJourney } from '../../enrollment/start-journey.ts';
import { createThrowawayDatabase, type ThrowawayDatabase } from './database.ts';
import { testLogger } from './logger.ts';

let bundle: Promise<WorkflowBundlePath> | undefined;

/** The production workflow bundle, as workers load it (prebuilt by `carepath provision`). */
export function journeyBundle(): Promise<WorkflowBundlePath> {
  bundle ??= ensureWorkflowBundle(silentProgress);
  return bundle;
}

/** Compiles a pathway file or fails the test with its diagnostics. */
export function compilePathway(file: string): CompiledPathway {
  const result = compileFile(file);
  if (!result.compiled) throw new Error(result.diagnostics.map((d) => `${d.file}:${d.line}:${d.col}: ${d.message} [${d.rule}]`).join('\n'));
  return result.compiled;
}

/** A channel that keeps what it delivers, in order. */
export class RecordingChannel implements Channel {
  readonly delivered: OutboundMessage[] = [];
  constructor(readonly name: string) {}
  async deliver(message: OutboundMessage) {
    this.delivered.push(message);
    return { providerMessageId: `${this.name}-${this.delivered.length}` };
  }
}

/** A gateway that answers 503 to everything, counting the attempts. */
export class FailingChannel implements Channel {
  attempts = 0;
  constructor(readonly name: string) {}
  async deliver(): Promise<never> {
    this.attempts++;
    throw new Error('503 Service Unavailable');
  }
}

/**
 * The production data converter without encryption (histories stay readable in tests): journey
 * inputs keep a reference to their compiled pathway, stored in the test's database.
 */
export function referencingDataConverter(database: ThrowawayDatabase): DataConverter {
  return { payloadConverterPath: PAYLOAD_CONVERTER_PATH, payloadCodecs: [new PathwayReferenceCodec(pathwayContents(database.db))] };
}

/** A worker running the real journey workflow and real activities against a throwaway database. */
export async function journeyWorker(
  env: TestWorkflowEnvironment,
  database: ThrowawayDatabase,
  taskQueue: string,
  channels: Channel[],
  deps: Partial<ActivityDeps> = {},
) {
  return Worker.create({
    connection: env.nativeConnection,
    taskQueue,
    workflowBundle: await journeyBundle(),
    dataConverter: referencingDataConverter(database),
    activities: createActivities({
      db: database.db,
      logger: testLogger,
      channels: new Map(channels.map((c) => [c.name, c])),
      renderTemplate: (id, vars) => ({ text: `${id} ${JSON.stringify(vars)}`, fields: {} }),
      ...deps,
    }),
  });
}

/** Enrols a fresh pseudonymous patient; returns the enrolment id, the first run's id and the workflow handle. */
export async function enrol(
  env: TestWorkflowEnvironment,
  database: ThrowawayDatabase,
  taskQueue: string,
  pathway: CompiledPathway,
  anchors: Record<string, string>,
  options: { butlerId?: string; variables?: Record<string, boolean | number | string> } = {},
) {
  const enrolledAt = new Date(await env.currentTimeMs()).toISOString();
  return startTestJourney(database, env.client, taskQueue, pathway, anchors, enrolledAt, options);
}

/** `enrol` on the dev server of a `useDevServerJourneys` file, enrolled now. */
export function enrolOnDevServer(t: DevServerJourneys, pathway: CompiledPathway, anchors: Record<string, string>) {
  return startTestJourney(t.database, t.client, t.taskQueue, pathway, anchors, new Date().toISOString(), {});
}

async function startTestJourney(
  database: ThrowawayDatabase,
  client: Client,
  taskQueue: string,
  pathway: CompiledPathway,
  anchors: Record<string, string>,
  enrolledAt: string,
  options: { butlerId?: string; variables?: Record<string, boolean | number | string> },
) {
  const enrollmentId = randomUUID();
  const { workflowId, runId } = await startJourney(database.db, client, taskQueue, {
    enrollmentId,
    patientRef: `P-${enrollmentId.slice(0, 8)}`,
    tenant: 'test',
    butlerId: options.butlerId ?? 'butler-1',
    pathway,
    anchors,
    ...(options.variables ? { variables: options.variables } : {}),
    enrolledAt,
    // The Java time-skipping server has no operator API to register custom search attributes.
    searchAttributes: false,
  });
  return { enrollmentId, workflowId, firstRunId: runId, handle: client.workflow.getHandle(workflowId) };
}

/**
 * Retries an assertion for a few real seconds: after the test server skips time, the worker
 * still needs a moment to run the activities that the timers released. The bound is generous:
 * in CI the whole suite shares two cores and one dev server, and a first workflow task has been
 * seen to wait more than 10 s there.
 */
export async function eventually<T>(check: () => Promise<T>, timeoutMs = 30_000): Promise<T> {
  const deadline = Date.now() + timeoutMs;
  for (;;) {
    try {
      return await check();
    } catch (err) {
      if (Date.now() > deadline) throw err;
      await new Promise((r) => setTimeout(r, 100));
    }
  }
}

export interface TimeSkippingJourneys {
  env: TestWorkflowEnvironment;
  database: ThrowawayDatabase;
  taskQueue: string;
}

/**
 * Registers the hooks of a test file that runs journeys on the time-skipping server: the server,
 * a throwaway migrated database, and a production worker with real activities and these channels
 * (`deps` replaces dependencies of the activities: a recipient resolver, the real templates).
 * The returned object is filled in by `beforeAll`.
 */
export function useTimeSkippingJourneys(
  channels: Channel[] = [],
  deps: (database: ThrowawayDatabase) => Partial<ActivityDeps> = () => ({}),
): TimeSkippingJourneys {
  const context = { taskQueue: `journeys-${randomUUID()}` } as TimeSkippingJourneys;
  let worker: Worker | undefined;
  let running: Promise<void> | undefined;
  beforeAll(async () => {
    context.database = await createThrowawayDatabase();
    await migrateToLatest(context.database.db);
    context.env = await TestWorkflowEnvironment.createTimeSkipping({
      server: { executable: { type: 'existing-path', path: inject('testServerPath') } },
      client: { dataConverter: referencingDataConverter(context.database) },
    });
    worker = await journeyWorker(context.env, context.database, context.taskQueue, channels, deps(context.database));
    running = worker.run();
  });
  afterAll(async () => {
    worker?.shutdown();
    await running;
    await context.env?.teardown();
    await context.database?.drop();
  });
  return context;
}

export interface DevServerJourneys {
  database: ThrowawayDatabase;
  connection: Connection;
  client: Client;
  taskQueue: string;
  /** Shuts the worker down (as a deployment whose workers are all gone); `startWorker` brings a new one. */
  stopWorker(): Promise<void>;
  startWorker(): Promise<void>;
}

/**
 * Registers the hooks of a test file that runs journeys on the real dev server of the test run:
 * a throwaway migrated database, a client connection, and a production worker with real
 * activities and these channels (`prepare` runs first, e.g. to register search attributes).
 */
export function useDevServerJourneys(channels: Channel[], prepare?: (connection: Connection) => Promise<unknown>): DevServerJourneys {
  let nativeConnection: NativeConnection | undefined;
  let running: { worker: Worker; done: Promise<void> } | undefined;
  const context: DevServerJourneys = {
    taskQueue: `dev-${randomUUID()}`,
    async stopWorker() {
      running?.worker.shutdown();
      await running?.done;
      running = undefined;
    },
    async startWorker() {
      const worker = await Worker.create({
        connection: nativeConnection!,
        taskQueue: context.taskQueue,
        workflowBundle: await journeyBundle(),
        activities: createActivities({
          db: context.database.db,
          logger: testLogger,
          channels: new Map(channels.map((c) => [c.name, c])),
          renderTemplate: () => ({ text: 'text', fields: {} }),
        }),
      });
      running = { worker, done: worker.run() };
    },
  } as DevServerJourneys;
  beforeAll(async () => {
    context.database = await createThrowawayDatabase();
    await migrateToLatest(context.database.db);
    context.connection = await Connection.connect({ address: inject('temporalAddress') });
    context.client = new Client({ connection: context.connection });
    await prepare?.(context.connection);
    nativeConnection = await NativeConnection.connect({ address: inject('temporalAddress') });
    await context.startWorker();
  });
  afterAll(async () => {
    await context.stopWorker();
    await context.connection?.close();
    await nativeConnection?.close();
    await context.database?.drop();
  });
  return context;
}
