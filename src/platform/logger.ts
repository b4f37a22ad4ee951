import pino, { Logger } from 'pino'

export type { Logger }

/**
 * JSON logs to standard output. Bodies are never logged; cookies, auth headers and anything named like a secret
 * are removed in case a caller logs an object carelessly. Lines are written asynchronously (a write in flight
 * takes the lines logged meanwhile with it), so a busy web process does not stop for a write per request; pino
 * flushes what is left when the process exits.
 */
export function createLogger(
  level: string,
  name = 'member-portal',
  // Standard output, or (for the log-scan test) a stream that keeps the lines.
  destination: pino.DestinationStream = pino.destination({ dest: 1, sync: false }),
): Logger {
  return pino(
    {
      name,
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
          '*.oneTimeCode',
          '*.code',
          '*.secret',
          '*.credential',
        ],
        censor: '[removed]',
      },
    },
    destination,
  )
}
