import pino, { DestinationStream, Logger } from 'pino'
import pinoPretty from 'pino-pretty'

export type { Logger }

export type LogFormat = 'json' | 'pretty'

/**
 * Where the lines go. JSON for log collectors (production, tests), written asynchronously (a write in flight
 * takes the lines logged meanwhile with it), so a busy web process does not stop for a write per request; pino
 * flushes what is left when the process exits. "pretty" is for a developer's terminal (`npm start`): one
 * readable line a record, its time, level and message first, colours when standard output is a terminal.
 */
function destination(format: LogFormat): DestinationStream {
  if (format === 'json') return pino.destination({ dest: 1, sync: false })
  return pinoPretty({
    destination: 1,
    singleLine: true,
    translateTime: 'SYS:HH:MM:ss.l',
    ignore: 'pid,hostname',
    colorize: process.stdout.isTTY === true,
  })
}

/**
 * The processes' logger. Bodies are never logged; cookies, auth headers and anything named like a secret are
 * removed in case a caller logs an object carelessly.
 */
export function createLogger(level: string, options: { name?: string; format?: LogFormat } = {}): Logger {
  return pino(
    {
      name: options.name ?? 'member-portal',
      level,
      redact: {
        paths: [
          'req.headers.cookie',
          'req.headers.authorization',
          'res.headers["set-cookie"]',
          '*.password',
          '*.newPassword',
          '*.temporaryPassword',
          '*.token',
          '*.answer',
          '*.email',
        ],
        censor: '[removed]',
      },
    },
    destination(options.format ?? 'json'),
  )
}
