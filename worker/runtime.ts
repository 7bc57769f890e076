import { DefaultLogger, Runtime, type LogLevel } from '@temporalio/worker';
import type { Logger } from '../logging/logger.ts';

/**
 * Installs the Temporal worker runtime; once per process, before any worker or native connection.
 * Its logs go through pino, and it does not catch SIGINT/SIGTERM itself: carepath stops the
 * worker in its own order on shutdown.
 */
export function installWorkerRuntime(logger: Logger): void {
  const log = logger.child({ component: 'temporal-worker' });
  Runtime.install({
    shutdownSignals: [],
    logger: new DefaultLogger('WARN', ({ level, message, meta }) => {
      const method = ({ TRACE: 'trace', DEBUG: 'debug', INFO: 'info', WARN: 'warn', ERROR: 'error' } as const)[level as LogLevel];
      log[method](meta ?? {}, message);
    }),
  });
}
