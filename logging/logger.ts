import pino, { type Logger } from 'pino';

export type { Logger };

/**
 * JSON logs (one object a line) for machines; pretty, coloured lines when stdout is a terminal.
 * Authorization headers and anything under a `patient` key never reach a log in clear text.
 */
export function createLogger(level: string, options: { pretty?: boolean } = {}): Logger {
  const pretty = options.pretty ?? process.stdout.isTTY === true;
  return pino({
    level,
    base: { service: 'carepath' },
    redact: { paths: ['req.headers.authorization', 'req.headers.cookie', 'patient', '*.patient', 'identity', '*.identity'], censor: '[redacted]' },
    ...(pretty ? { transport: { target: 'pino-pretty', options: { translateTime: 'SYS:HH:MM:ss.l', ignore: 'pid,hostname,service' } } } : {}),
  });
}
