import { DefaultLogger, Runtime, type LogLevel } from '@temporalio/worker';
import type { Logger } from '../logging/logger.ts';

let installed = false;

/**
 * Installs the Temporal worker runtime once per process: its logs go through pino, and it does
 * not catch SIGINT/SIGTERM itself — carepath stops the worker in its own order on shutdown.
 */
export function installWorkerRuntime(logger: Logger): void {
  if (installed) return;
  installed = true;
  const log = logger.child({ component: 'temporal-worker' });
  Runtime.install({
    shutdownSignals: [],
    logger: new DefaultLogger('WARN', ({ level, message, meta }) => {
      const method = ({ TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error' } as const)[level as LogLevel];
      log[method](meta ?? {}, message);
    }),
  });
}
