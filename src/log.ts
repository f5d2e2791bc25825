import { pino, type Logger } from 'pino';

export type { Logger };

/** JSON lines on stdout; `STRANGLER_LOG_LEVEL` sets the level. */
export function createLogger(options: { level?: string; destination?: NodeJS.WritableStream } = {}): Logger {
  const level = options.level ?? process.env.STRANGLER_LOG_LEVEL ?? 'info';
  return options.destination ? pino({ level, base: { name: 'strangler' } }, options.destination) : pino({ level, base: { name: 'strangler' } });
}

/** For tests and library use: logs nothing. */
export const silentLogger: Logger = pino({ level: 'silent' });
