import { ensureTemporalCli } from '../../infra/temporal-cli.ts';
import { ensureTestServer } from '../../infra/test-server.ts';
import { stderrProgress } from '../../infra/progress.ts';

/**
 * `carepath provision [--quiet-if-cached]`: makes sure the Temporal CLI and the time-skipping
 * test server are available, building or resolving them into the cache on first use.
 */
export async function run(argv: string[]): Promise<number> {
  const quietIfCached = argv.includes('--quiet-if-cached');
  const started = Date.now();
  const cli = await ensureTemporalCli(stderrProgress);
  const testServer = await ensureTestServer(stderrProgress);
  const cached = cli.source !== 'built' && testServer.source !== 'built';
  if (!quietIfCached || !cached) {
    console.log(`Temporal CLI:          ${cli.path} (${cli.source})`);
    console.log(`time-skipping server:  ${testServer.path} (${testServer.source})`);
    console.log(`provisioned in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
  return 0;
}
