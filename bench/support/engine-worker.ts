/**
 * The worker process of bench/engine.bench.ts: the production journey workflow (prebuilt bundle,
 * pathway references in histories) and the hand-coded yardstick, each on its own task queue,
 * with stand-in activities that do no I/O (the benchmark measures the workflow engine, not
 * PostgreSQL or a gateway). Reports its counters over IPC.
 */
import { randomUUID } from 'node:crypto';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { DefaultLogger, NativeConnection, Runtime, Worker } from '@temporalio/worker';
import { Kysely, PostgresDialect } from 'kysely';
import pg from 'pg';
import type { SendMessageInput } from '../../activities/messages.ts';
import { messageKey } from '../../activities/messages.ts';
import type { RoundWrites } from '../../activities/rounds.ts';
import type { Database } from '../../db/database.ts';
import { silentProgress } from '../../infra/progress.ts';
import { pathwayContents } from '../../platform/pathway-contents.ts';
import { PathwayReferenceCodec, PAYLOAD_CONVERTER_PATH } from '../../temporal/codec/index.ts';
import { ensureWorkflowBundle } from '../../worker/workflow-bundle.ts';
import { handCodedActivities } from './hand-coded-activities.ts';

Runtime.install({ logger: new DefaultLogger('ERROR') });
const root = fileURLToPath(new URL('../..', import.meta.url));
const [address, databaseUrl, journeyQueue, yardstickQueue] = process.argv.slice(2) as [string, string, string, string];
const db = new Kysely<Database>({ dialect: new PostgresDialect({ pool: new pg.Pool({ connectionString: databaseUrl, max: 2 }) }) });
const counters = { rounds: 0, tasks: 0, messages: 0, yardstickCalls: 0 };

/** The journey's activities, standing in for the database and the gateways. */
const journeyActivities = {
  async applyRound(writes: RoundWrites) {
    counters.rounds++;
    counters.tasks += writes.createTasks.length;
    return {
      tasks: Object.fromEntries(writes.createTasks.map((t) => [t.occurrenceKey, { taskId: randomUUID(), status: 'open' as const, escalationLevel: 0 }])),
    };
  },
  async sendMessages(input: { messages: SendMessageInput[] }) {
    counters.messages += input.messages.length;
    return input.messages.map((m) => ({ idempotencyKey: messageKey(m), providerMessageId: 'bench', outcome: 'sent' as const }));
  },
  async handOverUnsentMessages() {
    return { handedOver: 0 };
  },
};

const connection = await NativeConnection.connect({ address });
const journeys = await Worker.create({
  connection,
  taskQueue: journeyQueue,
  workflowBundle: await ensureWorkflowBundle(silentProgress),
  activities: journeyActivities,
  dataConverter: { payloadConverterPath: PAYLOAD_CONVERTER_PATH, payloadCodecs: [new PathwayReferenceCodec(pathwayContents(db))] },
  maxCachedWorkflows: 5_000,
});
const yardsticks = await Worker.create({
  connection,
  taskQueue: yardstickQueue,
  workflowBundle: await ensureWorkflowBundle(silentProgress, path.join(root, 'bench', 'workflows', 'index.ts')),
  activities: {
    async work(input: string, resultBytes: number) {
      counters.yardstickCalls++;
      return handCodedActivities.work(input, resultBytes);
    },
  },
  maxCachedWorkflows: 5_000,
});
process.on('message', (message) => {
  if (message === 'counters') process.send!({ ...counters });
  if (message === 'stop') {
    journeys.shutdown();
    yardsticks.shutdown();
  }
});
process.send!('ready');
await Promise.all([journeys.run(), yardsticks.run()]);
await db.destroy();
process.exit(0);
