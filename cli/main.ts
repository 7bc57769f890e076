/** Entry point of the `carepath` command: dispatches to one module per sub-command. */
import { CarepathError } from '../errors/carepath-error.ts';

type Command = { summary: string; load: () => Promise<{ run(argv: string[]): Promise<number> }> };

const commands: Record<string, Command> = {
  start: { summary: 'run the platform (Temporal, database, worker, API)', load: () => import('./commands/start.ts') },
  worker: { summary: 'run only the journey worker (needs TEMPORAL_ADDRESS and DATABASE_URL)', load: () => import('./commands/worker.ts') },
  api: { summary: 'run only the HTTP API (needs TEMPORAL_ADDRESS and DATABASE_URL)', load: () => import('./commands/api.ts') },
  journeys: {
    summary: 'operate running journeys: carepath journeys upgrade <pathway-id> [--from v] [--dry-run]',
    load: () => import('./commands/journeys.ts'),
  },
  pathways: {
    summary: 'publish a pathway to the running platform: carepath pathways publish <file> (CAREPATH_API_KEY)',
    load: () => import('./commands/pathways.ts'),
  },
  provision: { summary: 'fetch or build the Temporal CLI and the time-skipping test server', load: () => import('./commands/provision.ts') },
  validate: { summary: 'check pathway files: carepath validate [files or folders…] [--json]', load: () => import('./commands/validate.ts') },
  preview: { summary: 'print the timeline a pathway plans: carepath preview <file|id> --anchor name=date …', load: () => import('./commands/preview.ts') },
  'api-key': {
    summary: 'create, list or revoke API keys: carepath api-key create --role butler --name 王管家 --butler-id b1',
    load: () => import('./commands/api-key.ts'),
  },
};

function usage(): string {
  const lines = Object.entries(commands).map(([name, c]) => `  ${name.padEnd(10)} ${c.summary}`);
  return ['usage: carepath <command> [options]', '', 'commands:', ...lines].join('\n');
}

/** Runs one sub-command and returns the process exit code. */
export async function main(argv: string[]): Promise<number> {
  const [name, ...rest] = argv;
  if (!name || name === '--help' || name === '-h' || name === 'help') {
    console.log(usage());
    return name ? 0 : 2;
  }
  const command = commands[name];
  if (!command) {
    console.error(`carepath: unknown command '${name}'\n\n${usage()}`);
    return 2;
  }
  if (rest.includes('--help') || rest.includes('-h')) {
    console.log(`carepath ${name}: ${command.summary}`);
    return 0;
  }
  try {
    const module = await command.load();
    return await module.run(rest);
  } catch (err) {
    if (err instanceof CarepathError) {
      console.error(`carepath ${name}: ${err.message}`);
      return err.code === 'usage' ? 2 : 1;
    }
    // node:util parseArgs: an unknown option or a missing value is a usage error, not a crash.
    const code = (err as { code?: unknown }).code;
    if (typeof code === 'string' && code.startsWith('ERR_PARSE_ARGS_')) {
      console.error(`carepath ${name}: ${(err as Error).message.split('\n')[0]}\n  ${command.summary}`);
      return 2;
    }
    throw err;
  }
}
