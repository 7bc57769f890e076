import { createLogger } from '../../logging/logger.ts';

/** A real pino logger that stays quiet unless TEST_LOG_LEVEL asks for output. */
export const testLogger = createLogger(process.env.TEST_LOG_LEVEL ?? 'silent', { pretty: false });
