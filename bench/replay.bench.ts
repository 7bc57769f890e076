/**
 * Cold replay benchmark: `npx tsx bench/replay.bench.ts [repeats=5] [filter]`.
 *
 * Replays every recorded journey history under tests/replay/histories/ the way a worker with an
 * empty cache does after a restart (`Worker.runReplayHistories`), next to a hand-coded workflow
 * (bench/workflows/hand-coded.ts) that makes the same activity calls, batch by batch, with
 * payloads of the same sizes and the same timers, recorded here on the time-skipping server.
 * Journey and yardstick alternate in one replay worker, in one process; the first round is a
 * warm-up. Prints the median CPU and wall time per replay, ms per event for both, and the ratio.
 */
import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { historyFromJSON, historyToJSON } from '@temporalio/common/lib/proto-utils.js';
import type { temporal } from '@temporalio/proto';
import { TestWorkflowEnvironment } from '@temporalio/testing';
import { DefaultLogger, Runtime, Worker } from '@temporalio/worker';
import { stderrProgress } from '../infra/progress.ts';
import { ensureTestServer } from '../infra/test-server.ts';
import type { CompiledPathway } from '../pathway/model/compiled.ts';
import { PathwayReferenceCodec, PAYLOAD_CONVERTER_PATH, type PathwayContents } from '../temporal/codec/index.ts';
import { ensureWorkflowBundle } from '../worker/workflow-bundle.ts';
import { handCodedActivities } from './support/hand-coded-activities.ts';
import { historyShape, type JsonHistory } from './support/history-shape.ts';
import type { handCodedWorkflow } from './workflows/hand-coded.ts';

const root = fileURLToPath(new URL('..', import.meta.url));
const historiesDir = path.join(root, 'tests', 'replay', 'histories');
const REPEATS = Number(process.argv[2] ?? 5);
const FILTER = process.argv[3] ?? '';
Runtime.install({ logger: new DefaultLogger('ERROR') });

type History = temporal.api.history.v1.IHistory;

function historyFiles(dir: string): string[] {
  return readdirSync(dir, { withFileTypes: true, recursive: true })
    .filter((d) => d.isFile() && d.name.endsWith('.json.gz') && d.name !== 'pathways.json.gz')
    .map((d) => path.relative(historiesDir, path.join(d.parentPath, d.name)))
    .filter((f) => f.includes(FILTER))
    .sort();
}

const median = (xs: number[]) => [...xs].sort((a, b) => a - b)[Math.floor(xs.length / 2)]!;

async function main(): Promise<void> {
  const files = historyFiles(historiesDir);
  const journeys = files.map((file) => {
    const json = JSON.parse(gunzipSync(readFileSync(path.join(historiesDir, file))).toString('utf8')) as JsonHistory;
    return { file, json, shape: historyShape(json), history: historyFromJSON(json) as History };
  });

  stderrProgress('recording the hand-coded yardstick histories on the time-skipping server…');
  const testServer = await ensureTestServer(stderrProgress);
  const workflowBundle = await ensureWorkflowBundle(stderrProgress, path.join(root, 'bench', 'workflows', 'index.ts'));
  const env = await TestWorkflowEnvironment.createTimeSkipping({ server: { executable: { type: 'existing-path', path: testServer.path } } });
  const yardsticks: History[] = [];
  try {
    const worker = await Worker.create({ connection: env.nativeConnection, taskQueue: 'yardstick', workflowBundle, activities: handCodedActivities });
    await worker.runUntil(async () => {
      for (const [i, j] of journeys.entries()) {
        const handle = await env.client.workflow.start<typeof handCodedWorkflow>('handCodedWorkflow', {
          args: [j.shape.batches],
          taskQueue: 'yardstick',
          workflowId: `yardstick-${i}`,
        });
        await handle.result();
        yardsticks.push(historyFromJSON(JSON.parse(historyToJSON(await handle.fetchHistory()))) as History);
      }
    });
  } finally {
    await env.teardown();
  }

  // Runs recorded with pathway references resolve them from the compiled pathways saved beside them.
  const byHash = new Map<string, CompiledPathway>();
  for (const d of readdirSync(historiesDir, { withFileTypes: true, recursive: true })) {
    if (d.name !== 'pathways.json.gz') continue;
    for (const p of JSON.parse(gunzipSync(readFileSync(path.join(d.parentPath, d.name))).toString('utf8')) as CompiledPathway[]) byHash.set(p.hash, p);
  }
  const contents: PathwayContents = { remember: async () => {}, find: async (hash) => byHash.get(hash) };
  const dataConverter = { payloadConverterPath: PAYLOAD_CONVERTER_PATH, payloadCodecs: [new PathwayReferenceCodec(contents)] };

  // One replay worker for everything, journey and yardstick alternating, REPEATS + 1 rounds.
  const order: { kind: 'journey' | 'yardstick'; index: number }[] = [];
  for (let r = 0; r <= REPEATS; r++) {
    for (let i = 0; i < journeys.length; i++) order.push({ kind: 'journey', index: i }, { kind: 'yardstick', index: i });
  }
  const samples = journeys.map(() => ({ journey: { cpu: [] as number[], wall: [] as number[] }, yardstick: { cpu: [] as number[], wall: [] as number[] } }));
  const histories = (async function* () {
    for (const [n, o] of order.entries()) {
      yield { workflowId: `${o.kind}-${o.index}-${n}`, history: o.kind === 'journey' ? journeys[o.index]!.history : yardsticks[o.index]! };
    }
  })();
  let cpu = process.cpuUsage();
  let wall = performance.now();
  let n = 0;
  for await (const result of Worker.runReplayHistories({ workflowBundle, replayName: 'bench', dataConverter }, histories)) {
    const o = order[n++]!;
    const used = process.cpuUsage(cpu);
    const elapsed = performance.now() - wall;
    if (result.error) throw new Error(`${o.kind} ${journeys[o.index]!.file} failed to replay: ${result.error}`);
    if (n > journeys.length * 2) {
      samples[o.index]![o.kind].cpu.push((used.user + used.system) / 1000);
      samples[o.index]![o.kind].wall.push(elapsed);
    }
    cpu = process.cpuUsage();
    wall = performance.now();
  }

  console.log(`\n== cold replay, median of ${REPEATS} (journey and hand-coded yardstick alternating in one replay worker)`);
  console.log(
    'history                                          events  act   la  tmr   cpu ms  wall ms  ms/event | yardstick events   cpu ms  ms/event | ratio/event',
  );
  const ratios: number[] = [];
  const byteRatios: number[] = [];
  for (const [i, j] of journeys.entries()) {
    const s = samples[i]!;
    const y = yardsticks[i]!.events!.length;
    const jCpu = median(s.journey.cpu);
    const yCpu = median(s.yardstick.cpu);
    const ratio = jCpu / j.shape.events / (yCpu / y);
    ratios.push(ratio);
    byteRatios.push(j.shape.payloadBytes / historyShape(JSON.parse(historyToJSON(yardsticks[i]!)) as JsonHistory).payloadBytes);
    console.log(
      `${j.file.padEnd(48)} ${String(j.shape.events).padStart(6)} ${String(j.shape.activities).padStart(4)} ${String(j.shape.localActivities).padStart(4)} ${String(j.shape.timers).padStart(4)} ${jCpu.toFixed(0).padStart(8)} ${median(s.journey.wall).toFixed(0).padStart(8)} ${(jCpu / j.shape.events).toFixed(3).padStart(9)} | ${String(y).padStart(16)} ${yCpu.toFixed(0).padStart(8)} ${(yCpu / y).toFixed(3).padStart(9)} | ${ratio.toFixed(2).padStart(6)}×`,
    );
  }
  // Per recording (v1/, v2/): the largest run and the ratios.
  for (const set of [...new Set(journeys.map((j) => j.file.split('/')[0]!))]) {
    const inSet = journeys.map((j, i) => ({ j, i })).filter(({ j }) => j.file.startsWith(`${set}/`));
    const largest = inSet.reduce((a, { j, i }) => (median(samples[i]!.journey.cpu) > a.cpu ? { file: j.file, cpu: median(samples[i]!.journey.cpu) } : a), {
      file: '',
      cpu: 0,
    });
    const r = inSet.map(({ i }) => ratios[i]!);
    const b = inSet.map(({ i }) => byteRatios[i]!);
    console.log(
      `${set}: largest cold replay ${largest.file} ${largest.cpu.toFixed(0)} ms CPU;  ratio per event: median ${median(r).toFixed(2)}×, max ${Math.max(...r).toFixed(2)}×;  history payload bytes vs yardstick: median ${median(b).toFixed(2)}×, max ${Math.max(...b).toFixed(2)}×`,
    );
  }
  console.log(`(the journey's extra bytes: its inputs with the state it carries, updates, search attributes; v1 inputs carry the whole pathway)`);
}

await main();
