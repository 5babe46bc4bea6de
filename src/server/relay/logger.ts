/**
 * The relay's log: one JSON object per line on stdout (pino), with `event` naming what happened
 * and `session` / `vendor` where there is one, so an operator can filter and count. Visitor text
 * never goes out at info: lines about a session carry ids, vendors, statuses and reasons; what a
 * vendor answered in words goes out at warn (it is the operator's evidence) and is cut short.
 * LOG_LEVEL picks the threshold (trace, debug, info, warn, error, fatal, silent; default info).
 */
import { pino, type DestinationStream, type Logger } from 'pino';

export type RelayLogger = Logger;

export const LOG_LEVELS = ['trace', 'debug', 'info', 'warn', 'error', 'fatal', 'silent'] as const;

export function logLevelProblem(raw: string | undefined): string | null {
  if (raw === undefined || raw === '') return null;
  return (LOG_LEVELS as readonly string[]).includes(raw) ? null : `LOG_LEVEL must be one of ${LOG_LEVELS.join(', ')} (got "${raw.slice(0, 40)}")`;
}

export function createLogger(level = 'info', destination?: DestinationStream): RelayLogger {
  const options = {
    level,
    base: { service: 'confab-relay', pid: process.pid },
    // ISO time: readable in a terminal and sortable in a log store.
    timestamp: pino.stdTimeFunctions.isoTime,
    formatters: { level: (label: string) => ({ level: label }) },
  };
  // Synchronous writes: a SIGTERM or a failed start must not lose its last lines.
  return pino(options, destination ?? pino.destination({ dest: 1, sync: true }));
}

/**
 * The relay's older one-line messages (`config.log`, the process guard): each is about a
 * failure or a refusal, so they go out at warn, with a session prefix ("omnidesk 1a2b3c: …")
 * read into fields.
 */
export function lineLogger(logger: RelayLogger, event = 'relay'): (message: string) => void {
  return (message) => {
    const m = /^(?:(\w+) )?([0-9a-f]{6}): (.*)$/s.exec(message);
    if (m) logger.warn({ event, ...(m[1] ? { vendor: m[1] } : {}), session: m[2] }, m[3]!.slice(0, 2000));
    else logger.warn({ event }, message.slice(0, 2000));
  };
}
