import { isIP } from 'node:net'
import path from 'node:path'
import { z } from 'zod'

// Express's names for whole private ranges, besides single addresses and CIDR blocks.
const namedRanges = ['loopback', 'linklocal', 'uniquelocal']

/** One trusted proxy: an IP address, a CIDR block narrower than "everyone", or one of the named ranges. */
function proxyProblem(entry: string): string | undefined {
  if (namedRanges.includes(entry)) return undefined
  const [address, prefix, extra] = entry.split('/')
  const version = isIP(address)
  if (version === 0 || extra !== undefined)
    return `"${entry}" is not an IP address, a CIDR block or ${namedRanges.join(', ')}`
  if (prefix === undefined) return undefined
  const bits = /^\d{1,3}$/.test(prefix) ? Number(prefix) : -1
  if (bits < 1 || bits > (version === 4 ? 32 : 128))
    return `"${entry}" needs a prefix length from 1 to ${version === 4 ? 32 : 128}`
  return undefined
}

// The addresses of the proxies whose X-Forwarded-For (and -Proto) the app believes; empty means no proxy.
const trustedProxies = z
  .string()
  .default('')
  .transform((value, context) => {
    const text = value.trim().toLowerCase()
    if (['', 'false', '0', 'no'].includes(text)) return []
    if (['true', '1', 'yes'].includes(text)) {
      context.addIssue({
        code: 'custom',
        message:
          'list the proxies\' addresses instead of "true" (for example 10.0.0.5,10.0.0.6 or loopback), so that no other client can claim any address',
      })
      return z.NEVER
    }
    const entries = text.split(',').map((entry) => entry.trim())
    for (const problem of entries.map(proxyProblem)) if (problem) context.addIssue({ code: 'custom', message: problem })
    return entries
  })

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
    // BullMQ's key prefix; on Redis Cluster wrap it in braces ({portal-bull}) so each queue's keys share a slot.
    QUEUE_PREFIX: z
      .string()
      .regex(
        /^(\{[a-z0-9-]+\}|[a-z0-9-]+)$/,
        'use lowercase letters, digits and -, optionally in braces: {portal-bull}',
      )
      .optional(),
    SESSION_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
    TRUST_PROXY: trustedProxies,
    LOG_LEVEL: z.enum(['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent']).default('info'),
    // JSON lines for log collectors; "pretty" for a person at a terminal (the default in development only).
    LOG_FORMAT: z.enum(['json', 'pretty']).optional(),
    SIGN_ON_DELAY_MS: z.coerce.number().int().min(0).max(10_000).default(500),
    OUTBOX_POLL_MS: z.coerce.number().int().min(50).max(60_000).default(1000),
    // How long a stopping web process lets requests in flight finish before it exits anyway.
    SHUTDOWN_SECONDS: z.coerce.number().int().min(1).max(300).default(25),
    OUTBOX_RECHECK_SECONDS: z.coerce.number().int().min(1).max(3600).default(60),
    SCHEDULER_CHECK_SECONDS: z.coerce.number().int().min(1).max(3600).default(15),
    // Prometheus scrapes /metrics with "Authorization: Bearer <token>"; unset, only signed-on ops staff can.
    METRICS_TOKEN: z.string().min(32, 'must be at least 32 characters').optional(),
    // The worker process serves its own /metrics (job durations and failures) on this port when set.
    WORKER_METRICS_PORT: z.coerce.number().int().min(0).max(65535).optional(),
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
    // When appointment reminders go out, before the start: a comma-separated list of 30m, 2h, 1d, 7d…
    APPOINTMENT_REMINDER_LEADS: z
      .string()
      .default('7d,1d')
      .transform((value, context) => {
        const leads = value.split(',').map((part) => part.trim())
        const minutes = leads.map((lead) => {
          const match = /^(\d{1,3})([mhd])$/.exec(lead)
          return match ? Number(match[1]) * { m: 1, h: 60, d: 1440 }[match[2] as 'm' | 'h' | 'd'] : NaN
        })
        if (minutes.some((lead) => !(lead >= 10 && lead <= 60 * 24 * 60))) {
          context.addIssue({ code: 'custom', message: 'use lead times like 7d,1d,2h (10 minutes to 60 days each)' })
          return z.NEVER
        }
        return [...new Set(minutes)].sort((a, b) => b - a)
      }),
    APPOINTMENT_SWEEP_EVERY_MINUTES: z.coerce.number().int().min(1).max(60).default(5),
    HELP_PHONE: z.string().min(7).default('1-800-555-0100 (TTY 711)'),
    ADVICE_PHONE: z.string().min(7).default('1-800-555-0199'),
    // The plan as the API names it (Organization/payer): its name and its payer ID for electronic claims.
    PLAN_NAME: z.string().min(2).max(120).default('Member Portal Health Plan'),
    PLAN_PAYER_ID: z
      .string()
      .regex(/^[A-Za-z0-9]{3,15}$/)
      .default('MPHP1'),
    // When the plan's own entry (name, payer ID) last changed: the API's meta.lastUpdated for Organization/payer.
    PLAN_UPDATED_ON: z
      .string()
      .regex(/^\d{4}-\d{2}-\d{2}$/)
      .default('2026-01-01'),
    // Outside production, the process's clock starts at this instant (ISO 8601) and runs on: tests hand their
    // clock to the processes they spawn this way, and a developer can try the portal on another day.
    CLOCK_AT: z.iso.datetime({ offset: true }).optional(),
    PHARMACY_URL: z.url().default('http://127.0.0.1:4010'),
    PHARMACY_WEBHOOK_SECRET: z.string().min(32, 'must be at least 32 characters').optional(),
    PHARMACY_TIMEOUT_MS: z.coerce.number().int().min(100).max(120_000).default(5_000),
    PHARMACY_PORT: z.coerce.number().int().min(0).max(65535).default(4010),
    PHARMACY_AUTO_READY_SECONDS: z.coerce.number().int().min(0).max(86_400).default(20),
    // How long a worker holds a job before it must renew; a killed worker's job goes to another after it.
    JOB_LOCK_MS: z.coerce.number().int().min(1_000).max(600_000).default(30_000),
    REFILL_ATTEMPTS: z.coerce.number().int().min(1).max(30).default(8),
    REFILL_RETRY_DELAY_MS: z.coerce.number().int().min(10).max(3_600_000).default(2_000),
    REFILL_CONCURRENCY: z.coerce.number().int().min(1).max(200).default(20),
    REFILL_RECONCILE_AFTER_MINUTES: z.coerce.number().int().min(1).max(10_080).default(30),
    REFILL_RECONCILE_SCHEDULE: z.string().min(9).default('*/5 * * * *'),
    // The office-reply email throttle: after an email, at most one more within this window, at its end.
    OFFICE_REPLY_EMAIL_WINDOW_SECONDS: z.coerce.number().int().min(1).max(86_400).default(900),
    OFFICE_REPLY_EMAIL_RETRY_DELAY_MS: z.coerce.number().int().min(10).max(3_600_000).default(5_000),
    // The plan's state's table of tests its law keeps off the internet until discussed (config/state-law/*.json);
    // unset, no state-law holds. The demo ships California's.
    LAB_STATE_LAW_FILE: z.string().min(1).optional(),
    // The new-result email throttle: after an email, at most one more within this window, at its end.
    NEW_RESULT_EMAIL_WINDOW_SECONDS: z.coerce.number().int().min(1).max(86_400).default(900),
    LAB_RELEASE_SWEEP_SECONDS: z.coerce.number().int().min(5).max(3600).default(60),
    // The apps that may ask members for access to their records (the mobile app's API): a JSON file.
    SMART_CLIENTS_FILE: z
      .string()
      .min(1)
      .default(path.join(__dirname, '..', 'config', 'smart-clients.json')),
    SMART_ACCESS_TOKEN_TTL_SECONDS: z.coerce.number().int().min(1).max(3600).default(600),
    SMART_REFRESH_TOKEN_TTL_DAYS: z.coerce.number().int().min(1).max(365).default(90),
    // Encrypts authenticator apps' keys and keys the hashes of emailed and recovery codes and remembered browsers.
    TWO_STEP_KEY: z.string().min(32, 'must be at least 32 characters').optional(),
    // Staff always use 2-step verification; members are offered it, or must set it up when this says required.
    TWO_STEP_FOR_MEMBERS: z.enum(['offered', 'required']).default('offered'),
  })
  .transform((env) => {
    if (env.NODE_ENV === 'production' && !env.SESSION_SECRET) {
      throw new Error('SESSION_SECRET must be set in production (at least 32 random characters)')
    }
    if (env.NODE_ENV === 'production' && env.CLOCK_AT) {
      throw new Error('CLOCK_AT moves the clock for development and tests only: unset it in production')
    }
    if (env.WORKER_METRICS_PORT !== undefined && !env.METRICS_TOKEN) {
      throw new Error('WORKER_METRICS_PORT needs METRICS_TOKEN: the worker answers /metrics only to a scraper with it')
    }
    if (env.NODE_ENV === 'production' && !env.PHARMACY_WEBHOOK_SECRET) {
      throw new Error('PHARMACY_WEBHOOK_SECRET must be set in production (at least 32 random characters)')
    }
    if (env.NODE_ENV === 'production' && !env.TWO_STEP_KEY) {
      throw new Error('TWO_STEP_KEY must be set in production (at least 32 random characters)')
    }
    return {
      environment: env.NODE_ENV,
      production: env.NODE_ENV === 'production',
      port: env.PORT,
      publicUrl: env.PUBLIC_URL ?? `http://localhost:${env.PORT}`,
      databaseUrl: env.DATABASE_URL,
      redisUrl: env.REDIS_URL,
      redisPrefix: env.REDIS_PREFIX,
      queuePrefix: env.QUEUE_PREFIX ?? `${env.REDIS_PREFIX}-bull`,
      sessionSecret: env.SESSION_SECRET ?? 'development-only-session-secret-not-for-production',
      // Behind proxies means behind TLS: secure cookies, HSTS, upgrade-insecure-requests.
      trustProxy: env.TRUST_PROXY.length > 0,
      trustedProxies: env.TRUST_PROXY,
      logLevel: env.LOG_LEVEL,
      logFormat: env.LOG_FORMAT ?? (env.NODE_ENV === 'development' ? 'pretty' : 'json'),
      // Base of the growing delay after the fifth failed sign-on; tests set it low.
      signOnDelayMs: env.SIGN_ON_DELAY_MS,
      outboxPollMs: env.OUTBOX_POLL_MS,
      outboxRecheckSeconds: env.OUTBOX_RECHECK_SECONDS,
      schedulerCheckSeconds: env.SCHEDULER_CHECK_SECONDS,
      jobLockMs: env.JOB_LOCK_MS,
      shutdownSeconds: env.SHUTDOWN_SECONDS,
      metricsToken: env.METRICS_TOKEN,
      workerMetricsPort: env.WORKER_METRICS_PORT,
      chromiumPath: env.CHROMIUM_PATH,
      smtpUrl: env.SMTP_URL,
      mailFrom: env.MAIL_FROM,
      mailCatcher: { smtpPort: env.MAIL_CATCHER_PORT, webPort: env.MAIL_CATCHER_WEB_PORT },
      // Signed on: 15 minutes idle, 12 hours at most. Registration answers: 60 minutes after the last page.
      // What was typed in a form that arrived after its session lapsed: kept 30 minutes to fill it in again.
      session: { idleMinutes: 15, absoluteHours: 12, registrationMinutes: 60, typedValuesMinutes: 30 },
      letters: {
        directory: path.resolve(env.LETTERS_DIR),
        schedule: env.LETTERS_SCHEDULE,
        timezone: env.LETTERS_TIMEZONE,
        retentionDays: env.LETTERS_RETENTION_DAYS,
        chunkSize: env.LETTERS_CHUNK_SIZE,
        leaseSeconds: env.LETTERS_LEASE_SECONDS,
      },
      helpPhone: env.HELP_PHONE,
      advicePhone: env.ADVICE_PHONE,
      payer: { name: env.PLAN_NAME, payerId: env.PLAN_PAYER_ID, phone: env.HELP_PHONE, updatedAt: env.PLAN_UPDATED_ON },
      appointments: {
        reminderLeadMinutes: env.APPOINTMENT_REMINDER_LEADS,
        sweepEveryMinutes: env.APPOINTMENT_SWEEP_EVERY_MINUTES,
      },
      clockAt: env.CLOCK_AT ? new Date(env.CLOCK_AT) : undefined,
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
        reconcileAfterMinutes: env.REFILL_RECONCILE_AFTER_MINUTES,
        reconcileSchedule: env.REFILL_RECONCILE_SCHEDULE,
      },
      messages: {
        noticeWindowMs: env.OFFICE_REPLY_EMAIL_WINDOW_SECONDS * 1000,
        noticeRetryDelayMs: env.OFFICE_REPLY_EMAIL_RETRY_DELAY_MS,
        noticeAttempts: 8,
      },
      twoStep: {
        key: env.TWO_STEP_KEY ?? 'development-only-two-step-key-not-for-production',
        requiredForMembers: env.TWO_STEP_FOR_MEMBERS === 'required',
      },
      labs: {
        stateLawFile: env.LAB_STATE_LAW_FILE ? path.resolve(env.LAB_STATE_LAW_FILE) : undefined,
        noticeWindowMs: env.NEW_RESULT_EMAIL_WINDOW_SECONDS * 1000,
        sweepEveryMs: env.LAB_RELEASE_SWEEP_SECONDS * 1000,
      },
      smart: {
        clientsFile: path.resolve(env.SMART_CLIENTS_FILE),
        // Short-lived access tokens; the app keeps access with rotating refresh tokens.
        accessTokenTtlSeconds: env.SMART_ACCESS_TOKEN_TTL_SECONDS,
        refreshTokenTtlDays: env.SMART_REFRESH_TOKEN_TTL_DAYS,
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
