import { loadConfig } from '../../config/load-config.ts';
import { stderrProgress } from '../../infra/progress.ts';
import { createLogger } from '../../logging/logger.ts';
import { startPlatform, type PlatformRole } from '../../platform/start-platform.ts';
import { installWorkerRuntime } from '../../worker/runtime.ts';

/** `carepath start`: runs the whole platform until Ctrl-C (SIGINT) or SIGTERM. */
export async function run(_argv: string[]): Promise<number> {
  return runPlatform('all');
}

/** Starts the platform (or only its worker or API), prints where it runs, and stops it on a signal. */
export async function runPlatform(role: PlatformRole): Promise<number> {
  const config = loadConfig();
  const logger = createLogger(config.logLevel);
  installWorkerRuntime(logger);
  const started = Date.now();
  const platform = await startPlatform(config, logger, stderrProgress, { role });
  const lines = [
    '',
    `carepath ${role === 'all' ? '' : `${role} `}is running (started in ${((Date.now() - started) / 1000).toFixed(1)} s)`,
    ...(platform.consoleUrl ? [`  staff console  ${platform.consoleUrl}`] : []),
    ...(platform.apiUrl ? [`  API            ${platform.apiUrl}   (health: ${platform.apiUrl}/health)`] : []),
    `  Temporal       ${platform.temporalAddress}${platform.temporalUiUrl ? '   (embedded dev server)' : ''}`,
    ...(platform.temporalUiUrl ? [`  Temporal UI    ${platform.temporalUiUrl}`] : []),
    `  database       ${platform.database}`,
    'Press Ctrl-C to stop.',
    '',
  ];
  process.stderr.write(lines.join('\n'));

  await new Promise<void>((resolve) => {
    const onSignal = (signal: NodeJS.Signals) => {
      process.stderr.write(`\ncarepath: ${signal} received, stopping…\n`);
      resolve();
    };
    process.once('SIGINT', onSignal);
    process.once('SIGTERM', onSignal);
  });
  await platform.stop();
  process.stderr.write('carepath: stopped\n');
  return 0;
}
