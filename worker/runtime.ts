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
      log[method](withoutErrorText(meta), message);
    }),
  });
}

/**
 * The SDK logs workflow and activity failures with their messages, which may quote patient data
 * (the same text is encrypted in the history). Keep only the error's name and type in the log.
 */
function withoutErrorText(meta: Record<string, unknown> | undefined): Record<string, unknown> {
  if (!meta) return {};
  const safe: Record<string, unknown> = { ...meta };
  for (const key of ['error', 'failure', 'err']) {
    const value = safe[key];
    if (value && typeof value === 'object') {
      const e = value as { name?: unknown; type?: unknown };
      safe[key] = { name: e.name ?? 'Error', ...(e.type ? { type: e.type } : {}) };
    } else if (typeof value === 'string') {
      safe[key] = '[redacted]';
    }
  }
  return safe;
}
