import { pino } from 'pino';
/** JSON lines on stdout; `STRANGLER_LOG_LEVEL` sets the level. */
export function createLogger(options = {}) {
    const level = options.level ?? process.env.STRANGLER_LOG_LEVEL ?? 'info';
    return options.destination ? pino({ level, base: { name: 'strangler' } }, options.destination) : pino({ level, base: { name: 'strangler' } });
}
/** For tests and library use: logs nothing. */
export const silentLogger = pino({ level: 'silent' });
//# sourceMappingURL=log.js.map