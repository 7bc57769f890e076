import { readdirSync, readFileSync } from 'node:fs';
import path from 'node:path';
import { fileURLToPath } from 'node:url';
import { gunzipSync } from 'node:zlib';
import { historyFromJSON } from '@temporalio/common/lib/proto-utils.js';
import { Worker } from '@temporalio/worker';
import { describe, expect, it } from 'vitest';
import { journeyBundle } from '../support/journey-harness.ts';

const dir = fileURLToPath(new URL('./histories/', import.meta.url));
const files = readdirSync(dir).filter((f) => f.endsWith('.json.gz')).sort();

/**
 * Journeys run for months across deploys: today's workflow code must replay the histories that
 * earlier code recorded (one per shipped pathway, from tests/integration/programs-e2e.test.ts with
 * RECORD_HISTORIES=1). A change that is not replay-safe fails here with a non-determinism error;
 * guard it with `patched()` and keep the old history.
 */
describe('replay of recorded journey histories', () => {
  it('has a recorded history for every shipped pathway', () => {
    expect(files.map((f) => f.replace('.json.gz', ''))).toEqual([
      'chronic-disease.diabetes-home',
      'obstetrics.full-pregnancy',
      'obstetrics.late-pregnancy',
      'obstetrics.mid-pregnancy',
      'post-checkup.basic',
      'post-checkup.premium',
      'reproductive.ivf-cycle',
    ]);
  });

  for (const file of files) {
    it(`replays ${file} with the current workflow code`, { timeout: 120_000 }, async () => {
      const history = historyFromJSON(JSON.parse(gunzipSync(readFileSync(path.join(dir, file))).toString('utf8')));
      expect(history.events?.length).toBeGreaterThan(50);
      await Worker.runReplayHistory({ workflowBundle: await journeyBundle(), replayName: file }, history, `replay-${file}`);
    });
  }
});
