import path from 'node:path'
import { z } from 'zod'

const booleanFlag = z
  .enum(['true', 'false', '1', '0', 'yes', 'no', ''])
  .default('')
  .transform((value) => ['true', '1', 'yes'].includes(value))

const schema = z
  .object({
    NODE_ENV: z.enum(['development', 'test', 'production']).default('development'),
    PORT: z.coerce.number().int().min(0).max(65535).default(3000),
    PUBLIC_URL: z.url().optional(),
    DATABASE_URL: z
      .string()
      .regex(/^mysql:\/\//, 'must start with mysql://')
      .default('mysql://root@127.0.0.1:3306/member_portal'),
    REDIS_URL: z
      .string()
      .regex(/^rediss?:\/\//, 'must start with redis:// or rediss://')
      .default('redis://127.0.0.1:6379'),
    // Keys (sessions, throttles) and BullMQ queues share this prefix so several deployments can share one Redis.
    REDIS_PREFIX: z
      .string()
      .regex(/^[a-z0-9-]+$/, 'use lowercase letters, digits and -')
      .default('portal'),
    SESSION_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
    TRUST_PROXY: booleanFlag,
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    SIGN_ON_DELAY_MS: z.coerce.number().int().min(0).max(10_000).default(500),
    OUTBOX_POLL_MS: z.coerce.number().int().min(50).max(60_000).default(1000),
    CHROMIUM_PATH: z.string().default('/usr/bin/chromium'),
    SMTP_URL: z
      .string()
      .regex(/^smtps?:\/\//, 'must start with smtp:// or smtps://')
      .default('smtp://127.0.0.1:1025'),
    MAIL_FROM: z.string().min(3).default('Member Portal <no-reply@memberportal.example>'),
    MAIL_CATCHER_PORT: z.coerce.number().int().min(1).max(65535).default(1025),
    MAIL_CATCHER_WEB_PORT: z.coerce.number().int().min(1).max(65535).default(1080),
    LETTERS_DIR: z.string().min(1).default('var/letters'),
    LETTERS_SCHEDULE: z.string().min(9).default('30 1 * * *'),
    LETTERS_TIMEZONE: z.string().min(1).default('America/Los_Angeles'),
    LETTERS_RETENTION_DAYS: z.coerce.number().int().min(1).max(90).default(14),
    LETTERS_CHUNK_SIZE: z.coerce.number().int().min(1).max(2000).default(200),
    LETTERS_LEASE_SECONDS: z.coerce.number().int().min(0).max(86_400).default(600),
    HELP_PHONE: z.string().min(7).default('1-800-555-0100 (TTY 711)'),
    PHARMACY_URL: z.url().default('http://127.0.0.1:4010'),
    PHARMACY_WEBHOOK_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
    PHARMACY_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(5_000),
    PHARMACY_PORT: z.coerce.number().int().min(0).max(65535).default(4010),
    PHARMACY_AUTO_READY_SECONDS: z.coerce.number().int().min(0).max(86_400).default(20),
    REFILL_ATTEMPTS: z.coerce.number().int().min(1).max(30).default(8),
    REFILL_RETRY_DELAY_MS: z.coerce.number().int().min(10).max(3_600_000).default(2_000),
    REFILL_CONCURRENCY: z.coerce.number().int().min(1).max(200).default(20),
    REFILL_LOCK_MS: z.coerce.number().int().min(1_000).max(600_000).default(30_000),
    REFILL_RECONCILE_AFTER_MINUTES: z.coerce.number().int().min(1).max(10_080).default(30),
    REFILL_RECONCILE_SCHEDULE: z.string().min(9).default('*/5 * * * *'),
  })
  .transform((env) => {
    if (env.NODE_ENV === 'production' && !env.SESSION_SECRET) {
      throw new Error('SESSION_SECRET must be set in production (at least 32 random characters)')
    }
    if (env.NODE_ENV === 'production' && !env.PHARMACY_WEBHOOK_SECRET) {
      throw new Error('PHARMACY_WEBHOOK_SECRET must be set in production (at least 32 random characters)')
    }
    return {
      environment: env.NODE_ENV,
      production: env.NODE_ENV === 'production',
      port: env.PORT,
      publicUrl: env.PUBLIC_URL ?? `http://localhost:${env.PORT}`,
      databaseUrl: env.DATABASE_URL,
      redisUrl: env.REDIS_URL,
      redisPrefix: env.REDIS_PREFIX,
      sessionSecret: env.SESSION_SECRET ?? 'development-only-session-secret-not-for-production',
      trustProxy: env.TRUST_PROXY,
      logLevel: env.LOG_LEVEL,
      // Base of the growing delay after the fifth failed sign-on; tests set it low.
      signOnDelayMs: env.SIGN_ON_DELAY_MS,
      outboxPollMs: env.OUTBOX_POLL_MS,
      chromiumPath: env.CHROMIUM_PATH,
      smtpUrl: env.SMTP_URL,
      mailFrom: env.MAIL_FROM,
      mailCatcher: { smtpPort: env.MAIL_CATCHER_PORT, webPort: env.MAIL_CATCHER_WEB_PORT },
      session: { idleMinutes: 15, absoluteHours: 12 },
      letters: {
        directory: path.resolve(env.LETTERS_DIR),
        schedule: env.LETTERS_SCHEDULE,
        timezone: env.LETTERS_TIMEZONE,
        retentionDays: env.LETTERS_RETENTION_DAYS,
        chunkSize: env.LETTERS_CHUNK_SIZE,
        leaseSeconds: env.LETTERS_LEASE_SECONDS,
      },
      helpPhone: env.HELP_PHONE,
      pharmacy: {
        url: env.PHARMACY_URL.replace(/\/+$/, ''),
        webhookSecret: env.PHARMACY_WEBHOOK_SECRET ?? 'development-only-pharmacy-webhook-secret',
        timeoutMs: env.PHARMACY_TIMEOUT_MS,
        // The simulator's own settings (development and tests).
        simulatorPort: env.PHARMACY_PORT,
        autoReadySeconds: env.PHARMACY_AUTO_READY_SECONDS,
      },
      refills: {
        attempts: env.REFILL_ATTEMPTS,
        retryDelayMs: env.REFILL_RETRY_DELAY_MS,
        concurrency: env.REFILL_CONCURRENCY,
        lockMs: env.REFILL_LOCK_MS,
        reconcileAfterMinutes: env.REFILL_RECONCILE_AFTER_MINUTES,
        reconcileSchedule: env.REFILL_RECONCILE_SCHEDULE,
      },
    }
  })

export type Config = z.output<typeof schema>

/** Reads the environment once at start-up; a bad value stops the process with a message naming the variable. */
export function loadConfig(env: NodeJS.ProcessEnv = process.env): Config {
  const result = schema.safeParse(env)
  if (!result.success) {
    const problems = result.error.issues.map((issue) => `  ${issue.path.join('.') || 'environment'}: ${issue.message}`)
    throw new Error(`Invalid configuration:\n${problems.join('\n')}`)
  }
  return result.data
}
