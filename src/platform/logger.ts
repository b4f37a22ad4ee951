import pino, { Logger } from 'pino'

export type { Logger }

/**
 * JSON logs. Bodies are never logged; cookies, auth headers and anything named like a secret are removed
 * in case a caller logs an object carelessly.
 */
export function createLogger(level: string, name = 'member-portal'): Logger {
  return pino({
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
      ],
      censor: '[removed]',
    },
  })
}
