/**
 * Console benchmark: `npx tsx bench/console.bench.ts`. Runs the platform as `npm start` does
 * (embedded Temporal dev server and PGlite, in a throwaway data directory; the console's built
 * assets) and loads the console in Debian's headless Chromium (1280×800, the tests' flags):
 *   1. cold: a fresh browser context (empty cache) to the sign-in form ready;
 *   2. signed in: the butler's worklist rendered with its tasks, cache empty;
 *   3. warm: a reload of the worklist with the cache the first load filled.
 * Prints the median and p90 of BENCH_N (default 15) rounds of each, and the bytes sent.
 */
import { mkdtempSync, rmSync } from 'node:fs';
import { tmpdir } from 'node:os';
import path from 'node:path';
import { performance } from 'node:perf_hooks';
import { randomBytes } from 'node:crypto';
import { loadConfig } from '../config/load-config.ts';
import { stderrProgress } from '../infra/progress.ts';
import { createLogger } from '../logging/logger.ts';
import { startPlatform } from '../platform/start-platform.ts';
import { launchStaffBrowser } from '../tests/support/browser.ts';

const N = Number(process.env.BENCH_N ?? 15);
const quantile = (xs: number[], q: number) => [...xs].sort((a, b) => a - b)[Math.min(xs.length - 1, Math.floor(xs.length * q))]!;

async function main(): Promise<void> {
  const dataDir = mkdtempSync(path.join(tmpdir(), 'carepath-console-bench-'));
  const admin = `cpk_${randomBytes(32).toString('base64url')}`;
  const config = loadConfig({ env: { ...process.env, CAREPATH_DATA_DIR: dataDir, PORT: '0', LOG_LEVEL: 'warn', CAREPATH_BOOTSTRAP_ADMIN_KEY: admin } });
  const platform = await startPlatform(config, createLogger('warn'), stderrProgress);
  const chrome = await launchStaffBrowser();
  try {
    // The embedded database belongs to the platform's process: a key is made through its API.
    const created = await fetch(`${platform.apiUrl}/v1/api-clients`, {
      method: 'POST',
      headers: { authorization: `Bearer ${admin}`, 'content-type': 'application/json' },
      body: JSON.stringify({ name: '王管家', role: 'butler', butlerId: 'b1' }),
    });
    const { key } = (await created.json()) as { key: string };
    const samples = { cold: [] as number[], signedIn: [] as number[], warm: [] as number[] };
    let bytes = 0;
    for (let i = 0; i < N; i++) {
      const context = await chrome.context();
      const page = await context.newPage();
      let round = 0;
      page.on(
        'response',
        (r) =>
          void r.body().then(
            (b) => (round += b.length),
            () => undefined,
          ),
      );
      let t = performance.now();
      await page.goto(platform.consoleUrl!);
      await page.getByLabel('API 密钥').waitFor();
      samples.cold.push(performance.now() - t);
      await page.getByLabel('API 密钥').fill(key);
      t = performance.now();
      await page.getByRole('button', { name: '登录' }).click();
      await page.getByRole('heading', { name: '我的任务' }).waitFor();
      await page.locator('.ant-table-tbody').waitFor();
      samples.signedIn.push(performance.now() - t);
      t = performance.now();
      await page.reload();
      await page.getByRole('heading', { name: '我的任务' }).waitFor();
      samples.warm.push(performance.now() - t);
      if (i === 0) bytes = round;
      await context.close();
    }
    const line = (label: string, xs: number[]) =>
      `  ${label.padEnd(36)} median ${quantile(xs, 0.5).toFixed(0).padStart(5)} ms   p90 ${quantile(xs, 0.9).toFixed(0).padStart(5)} ms`;
    process.stdout.write(
      [
        `\n== staff console in headless Chromium, ${N} rounds, platform as npm start runs it`,
        line('cold load to the sign-in form', samples.cold),
        line('sign-in to the worklist', samples.signedIn),
        line('warm reload of the worklist', samples.warm),
        `  bytes of one cold load and sign-in (decoded): ${(bytes / 1024).toFixed(0)} KiB`,
        '',
      ].join('\n'),
    );
  } finally {
    await chrome.close();
    await platform.stop();
    rmSync(dataDir, { recursive: true, force: true });
  }
}

await main();
