import { WorkflowUpdateFailedError } from '@temporalio/client';
import { CarepathError } from '../../errors/carepath-error.ts';
import { loadConfig } from '../../config/load-config.ts';
import { createLogger } from '../../logging/logger.ts';
import { loadPathwayRegistry } from '../../pathway/registry.ts';
import { encryptingDataConverter, ensureDevKeyRing, loadKeyRing } from '../../temporal/codec/index.ts';
import { connectClient } from '../../temporal/connect.ts';
import { upgradePathwayUpdate } from '../../workflows/journey-definitions.ts';

const USAGE = 'usage: carepath journeys upgrade <pathway-id> [--from <version>] [--dry-run] [--by <who>]';

/**
 * `carepath journeys upgrade <pathway-id>`: moves running journeys of a pathway to the version
 * now in pathways/ (found by the CarepathPathwayVersion search attribute; --from narrows it to
 * one old version). Each journey checks the move itself and may refuse it, with its reason.
 */
export async function run(argv: string[]): Promise<number> {
  const [verb, pathwayId, ...rest] = argv;
  if (verb !== 'upgrade' || !pathwayId) {
    console.error(USAGE);
    return 2;
  }
  const option = (name: string) => {
    const i = rest.indexOf(name);
    return i >= 0 ? rest[i + 1] : undefined;
  };
  const dryRun = rest.includes('--dry-run');
  const by = option('--by') ?? 'carepath-cli';
  const from = option('--from');

  const config = loadConfig();
  const target = loadPathwayRegistry(config.pathwaysDir).get(pathwayId);
  if (!target) throw new CarepathError('not-found', `no pathway '${pathwayId}' under ${config.pathwaysDir}`);
  if (!config.temporal.address)
    throw new CarepathError('invalid-config', 'set TEMPORAL_ADDRESS (the platform started by `carepath start` listens on 127.0.0.1:7233)');
  const logger = createLogger('warn');
  const keyRing = loadKeyRing(config.env) ?? (await ensureDevKeyRing(config.dataDir, logger));
  const { client, connection } = await connectClient({ ...config.temporal, address: config.temporal.address }, encryptingDataConverter(keyRing));
  try {
    const versions = from ? [`'${pathwayId}@${from}'`] : null;
    const query = [
      `ExecutionStatus = 'Running'`,
      versions ? `CarepathPathwayVersion = ${versions[0]}` : `CarepathPathwayVersion STARTS_WITH '${pathwayId}@'`,
    ].join(' AND ');
    let moved = 0;
    let refused = 0;
    for await (const execution of client.workflow.list({ query })) {
      const current = execution.searchAttributes?.['CarepathPathwayVersion']?.[0];
      if (current === `${target.id}@${target.version}`) continue;
      if (dryRun) {
        console.log(`${execution.workflowId}: ${current} → ${target.version} (dry run)`);
        continue;
      }
      try {
        await client.workflow.getHandle(execution.workflowId).executeUpdate(upgradePathwayUpdate, { args: [{ pathway: target, by }] });
        console.log(`${execution.workflowId}: ${current} → ${target.version}`);
        moved++;
      } catch (err) {
        if (!(err instanceof WorkflowUpdateFailedError)) throw err;
        console.log(`${execution.workflowId}: refused: ${err.cause?.message ?? err.message}`);
        refused++;
      }
    }
    console.log(`${moved} journey(s) moved to ${target.id}@${target.version}, ${refused} refused`);
    return refused > 0 ? 1 : 0;
  } finally {
    await connection.close();
  }
}
