import { existsSync, readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils.js';
import type { DataConverter } from '@temporalio/common';
import { Worker } from '@temporalio/worker';
import type { CompiledPathway } from '../../pathway/model/compiled.ts';
import { PathwayReferenceCodec, PAYLOAD_CONVERTER_PATH, type PathwayContents } from '../../temporal/codec/index.ts';
import { describe, expect, it } from 'vitest';
import { journeyBundle } from '../support/journey-harness.ts';

const dir = fileURLToPath(new URL('./histories/', import.meta.url));
const SHIPPED = [
  'chronic-disease.diabetes-home',
  'obstetrics.full-pregnancy',
  'obstetrics.late-pregnancy',
  'obstetrics.mid-pregnancy',
  'post-checkup.basic',
  'post-checkup.premium',
  'reproductive.ivf-cycle',
];

/** Every recorded history file under `histories/<sub>`, relative to `histories/`. */
function recorded(sub: string): string[] {
  return readdirSync(path.join(dir, sub), { recursive: true, encoding: 'utf8' })
    .filter((f) => f.endsWith('.json.gz'))
    .map((f) => path.join(sub, f))
    .sort();
}

const v1 = recorded('v1');
const v2 = recorded('v2').filter((f) => !f.endsWith('pathways.json.gz'));

/**
 * Version 2 runs were recorded with pathway references in their inputs: the replay resolves them
 * from the compiled pathways saved beside them, as a worker resolves them from its database.
 */
function dataConverterFor(file: string): DataConverter | undefined {
  const saved = path.join(dir, path.dirname(file), 'pathways.json.gz');
  if (!existsSync(saved)) return undefined;
  const byHash = new Map((JSON.parse(gunzipSync(readFileSync(saved)).toString('utf8')) as CompiledPathway[]).map((p) => [p.hash, p]));
  const contents: PathwayContents = { remember: async () => {}, find: async (hash) => byHash.get(hash) };
  return { payloadConverterPath: PAYLOAD_CONVERTER_PATH, payloadCodecs: [new PathwayReferenceCodec(contents)] };
}

/**
 * Journeys run for months across deploys: today's workflow code must replay the histories that
 * earlier code recorded. `v1/` holds one journey per shipped pathway recorded by workflow
 * version 1 (before the `journey-v2` marker), `v2/<pathway>/v<pathway version>/run-NN` every run of
 * one journey per shipped pathway and pathway version recorded by version 2 (with `pathways.json.gz`, the compiled pathway
 * their inputs refer to) (tests/integration/programs-e2e.test.ts with
 * RECORD_HISTORIES=1). A change that is not replay-safe fails here with a non-determinism
 * error; guard it with `patched()` and keep the old histories.
 */
describe('replay of recorded journey histories', () => {
  it('has a recorded version 1 history and version 2 runs for every shipped pathway', () => {
    expect(v1.map((f) => path.basename(f, '.json.gz'))).toEqual(SHIPPED);
    expect([...new Set(v2.map((f) => path.basename(path.dirname(path.dirname(f)))))]).toEqual(SHIPPED);
  });

  for (const file of [...v1, ...v2]) {
    it(`replays ${file} with the current workflow code`, { timeout: 120_000 }, async () => {
      const history = historyFromJSON(JSON.parse(gunzipSync(readFileSync(path.join(dir, file))).toString('utf8')));
      expect(history.events?.length).toBeGreaterThan(20);
      const dataConverter = dataConverterFor(file);
      await Worker.runReplayHistory(
        { workflowBundle: await journeyBundle(), replayName: file, ...(dataConverter ? { dataConverter } : {}) },
        history,
        `replay-${file.replaceAll('/', '-')}`,
      );
    });
  }
});
