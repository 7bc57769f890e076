import { ensureTemporalCli } from '../../infra/temporal-cli.ts';
import { ensureTestServer } from '../../infra/test-server.ts';
import { stderrProgress } from '../../infra/progress.ts';
import { ensureWorkflowBundle } from '../../worker/workflow-bundle.ts';

/**
 * `carepath provision [--quiet-if-cached]`: makes sure the Temporal CLI and the time-skipping
 * test server are available, building or resolving them into the cache on first use, and that
 * the workflow bundle workers load is built from the code as it is.
 */
export async function run(argv: string[]): Promise<number> {
  const quietIfCached = argv.includes('--quiet-if-cached');
  const started = Date.now();
  const cli = await ensureTemporalCli(stderrProgress);
  const testServer = await ensureTestServer(stderrProgress);
  const bundle = await ensureWorkflowBundle(stderrProgress);
  const cached = cli.source !== 'built' && testServer.source !== 'built' && !bundle.built;
  if (!quietIfCached || !cached) {
    console.log(`Temporal CLI:          ${cli.path} (${cli.source})`);
    console.log(`time-skipping server:  ${testServer.path} (${testServer.source})`);
    console.log(`workflow bundle:       ${bundle.codePath} (${bundle.built ? 'built' : 'cached'})`);
    console.log(`provisioned in ${((Date.now() - started) / 1000).toFixed(1)} s`);
  }
  return 0;
}
