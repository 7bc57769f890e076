import { execFileSync } from 'node:child_process';
import { ensureTemporalCli } from '../../infra/temporal-cli.ts';
import { ensureTestServer } from '../../infra/test-server.ts';
import { stderrProgress } from '../../infra/progress.ts';
import { ensureWorkflowBundle } from '../../worker/workflow-bundle.ts';

/**
 * `carepath provision [--quiet-if-cached]`: makes sure the Temporal CLI and the time-skipping
 * test server are available, fetching or building them into the cache on first use, and that
 * the workflow bundle workers load is built from the code as it is. Prints what it found.
 */
export async function run(argv: string[]): Promise<number> {
  const quietIfCached = argv.includes('--quiet-if-cached');
  const started = Date.now();
  const cli = await ensureTemporalCli(stderrProgress);
  const testServer = await ensureTestServer(stderrProgress);
  const bundle = await ensureWorkflowBundle(stderrProgress);
  const fresh = (source: string) => source === 'fetched' || source === 'built';
  if (!quietIfCached || fresh(cli.source) || fresh(testServer.source) || bundle.built) {
    console.log(`Temporal CLI:          ${cli.path} (${cli.source}; ${cliVersion(cli.path)})`);
    console.log(`time-skipping server:  ${testServer.path} (${testServer.source})`);
    console.log(`workflow bundle:       ${bundle.codePath} (${bundle.built ? 'built' : 'cached'})`);
    console.log(`provisioned in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
  return 0;
}

function cliVersion(cli: string): string {
  try {
    return execFileSync(cli, ['--version'], { encoding: 'utf8', timeout: 10_000 }).trim();
  } catch {
    return 'version unknown';
  }
}
