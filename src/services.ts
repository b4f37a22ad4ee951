import type { Redis } from 'ioredis'
import { CredentialService } from './accounts/credentials'
import { AppointmentRepository } from './appointments/repository'
import { AppointmentService } from './appointments/service'
import { EmailVerificationService } from './accounts/email-verification'
import { MembershipService } from './accounts/membership'
import { RecoveryService } from './accounts/recovery'
import { AccountSettingsService } from './accounts/settings'
import { SignOnService } from './accounts/service'
import { RegistrationRepository } from './registration/repository'
import { LettersRepository } from './letters/repository'
import { TemporaryPasswordService } from './letters/service'
import { RegistrationService } from './registration/service'
import { UserRepository } from './accounts/repository'
import { SignOnThrottle } from './accounts/throttle'
import type { Config } from './config'
import { CoverageRepository } from './coverage/repository'
import { CoverageService } from './coverage/service'
import { AuthorizationRepository } from './prior-authorizations/repository'
import { DirectoryRepository } from './directory/repository'
import { ApiUsageReport } from './ops/api-usage'
import { PriorAuthorizationService } from './prior-authorizations/service'
import { FamilyRepository } from './family/repository'
import { FamilyService } from './family/service'
import { LabResultRepository } from './labs/repository'
import { NewResultNotices } from './labs/notices'
import { loadStateLawTable } from './labs/release'
import { LabResultsService } from './labs/service'
import { MemberRepository } from './members/repository'
import { OfficeReplyNotices } from './messages/notices'
import { MessageRepository } from './messages/repository'
import { MessageService } from './messages/service'
import { OpsService } from './ops/service'
import { AuditLog } from './platform/audit'
import { Clock, configuredClock } from './platform/clock'
import { createDb, Db } from './platform/db'
import { SentEmails } from './platform/sent-emails'
import { createLogger, Logger } from './platform/logger'
import { createMailer, emailAddressOf, Mailer } from './platform/mail'
import { PdfRenderer } from './platform/pdf'
import { LetterBatchService } from './letters/batch'
import { MailroomService } from './mailroom/service'
import { AccountEmailService } from './notifications/service'
import { NotificationRepository } from './notifications/repository'
import { createQueues, Queues } from './platform/queues'
import { SessionRegistry } from './platform/session'
import { RecordAccess } from './viewing/record-access'
import { ViewingRepository } from './viewing/repository'
import { ViewingService } from './viewing/service'
import { createRedis } from './platform/redis'
import { ImmunizationRepository } from './vaccinations/repository'
import { PharmacyClient } from './prescriptions/pharmacy-client'
import { PrescriptionRepository } from './prescriptions/repository'
import { PrescriptionService } from './prescriptions/service'
import { RefillSubmissionService, refillJobOptions } from './prescriptions/submission'
import { SeenWebhooks } from './prescriptions/webhook-signature'
import { VaccinationService } from './vaccinations/service'
import { FhirService } from './fhir/service'
import { AuthorizationServer } from './smart/authorization-server'
import { loadAppRegistrations } from './smart/clients'
import { SmartRepository } from './smart/repository'
import { ConnectedAppService } from './smart/service'
import { TwoStepKeys } from './two-step/codes'
import { TwoStepRepository } from './two-step/repository'
import { TwoStepService } from './two-step/service'
import { PasskeyService } from './two-step/passkeys'

export interface Infrastructure {
  config: Config
  logger: Logger
  db: Db
  redis: Redis
  queues: Queues
  clock: Clock
  mailer: Mailer
  pdf: PdfRenderer
}

/**
 * The one place that builds the infrastructure from config; tests pass their own pieces instead. The web
 * process (`role: 'web'`) fails fast while Redis or MySQL is unreachable; workers wait for them to return.
 */
export function createInfrastructure(
  config: Config,
  overrides: Partial<Infrastructure> = {},
  role: 'web' | 'worker' = 'worker',
): Infrastructure {
  const redis = overrides.redis ?? createRedis(config.redisUrl, { failFast: role === 'web' })
  const logger = overrides.logger ?? createLogger(config.logLevel, { format: config.logFormat })
  redis.on('error', (error: Error) => logger.warn({ err: error }, 'Redis connection error'))
  return {
    config,
    logger,
    db:
      overrides.db ??
      (role === 'web'
        ? createDb(config.databaseUrl, logger, undefined, 5_000, webQueryTimeoutMs)
        : createDb(config.databaseUrl, logger, undefined, 60_000, 60_000)),
    redis,
    queues:
      overrides.queues ??
      createQueues(redis, config.queuePrefix, (error) => logger.warn({ err: error }, 'queue connection error'), {
        'refill-submission': refillJobOptions(config.refills),
      }),
    clock: overrides.clock ?? configuredClock(config.clockAt),
    mailer: overrides.mailer ?? createMailer(config.smtpUrl, config.mailFrom),
    pdf: overrides.pdf ?? new PdfRenderer(config.chromiumPath, logger),
  }
}

/**
 * How long a page's statement may take before the page gives up with the friendly 503: far above any page's
 * query (milliseconds), far below the 15 s a frozen MySQL would otherwise hold a visitor.
 */
export const webQueryTimeoutMs = 4_000

/** Repositories and services, each given what it needs. */
export function createServices(infrastructure: Infrastructure) {
  const { config, db, redis, queues, clock, logger } = infrastructure
  const throttles = { redis, prefix: config.redisPrefix }
  const users = new UserRepository(db)
  const throttle = new SignOnThrottle(redis, config.redisPrefix)
  const audit = new AuditLog(db, clock)
  const sessions = new SessionRegistry(redis, config.redisPrefix, config.session.absoluteHours)
  const credentials = new CredentialService(db, users, sessions, clock)
  const members = new MemberRepository(db)
  const twoStepRepository = new TwoStepRepository(db)
  const twoStep = new TwoStepService(
    db,
    twoStepRepository,
    new TwoStepKeys(config.twoStep.key),
    credentials,
    sessions,
    infrastructure.mailer,
    clock,
    throttles,
    { requiredForMembers: config.twoStep.requiredForMembers, helpPhone: config.helpPhone },
  )
  const recordAccess = new RecordAccess(audit)
  const viewing = new ViewingService(new ViewingRepository(db), audit, clock)
  const lettersRepository = new LettersRepository(db)
  const temporaryPasswords = new TemporaryPasswordService(db, lettersRepository, credentials, clock)
  const letterBatches = new LetterBatchService(
    lettersRepository,
    infrastructure.pdf,
    clock,
    {
      directory: config.letters.directory,
      timezone: config.letters.timezone,
      chunkSize: config.letters.chunkSize,
      signOnUrl: `${config.publicUrl}/sign-on`,
      helpPhone: config.helpPhone,
      leaseSeconds: config.letters.leaseSeconds,
      maxLetters: 20_000,
    },
    logger,
  )
  const prescriptionRepository = new PrescriptionRepository(db)
  const membership = new MembershipService(members, users, throttles)
  const messageRepository = new MessageRepository(db)
  const messages = new MessageService(db, messageRepository, recordAccess, audit, clock)
  const labResults = new LabResultRepository(db)
  const labs = new LabResultsService(
    db,
    labResults,
    recordAccess,
    audit,
    clock,
    loadStateLawTable(config.labs.stateLawFile),
    (userId) => messageRepository.staffDepartment(userId),
  )
  const vaccinations = new VaccinationService(new ImmunizationRepository(db), members, recordAccess, clock)
  const coverage = new CoverageService(new CoverageRepository(db), recordAccess, clock)
  // Every email a worker sends goes through this record, once per key (see SentEmails).
  const sentEmails = new SentEmails(
    db,
    redis,
    config.redisPrefix,
    infrastructure.mailer,
    clock,
    new URL(config.publicUrl).hostname,
  )
  const priorAuthorizations = new PriorAuthorizationService({
    db,
    repository: new AuthorizationRepository(db),
    access: recordAccess,
    sentEmails,
    clock,
    publicUrl: config.publicUrl,
    helpPhone: config.helpPhone,
  })
  const appointments = new AppointmentService(new AppointmentRepository(db), recordAccess, audit, clock, {
    reminderLeadMinutes: config.appointments.reminderLeadMinutes,
    publicUrl: config.publicUrl,
    organizerEmail: emailAddressOf(config.mailFrom),
  })
  const prescriptions = new PrescriptionService(db, prescriptionRepository, recordAccess, audit, clock, messages)
  const smartRepository = new SmartRepository(db)
  const apps = loadAppRegistrations(config.smart.clientsFile)
  const connectedApps: ConnectedAppService = new ConnectedAppService(
    smartRepository,
    members,
    apps,
    audit,
    clock,
    (grantId): Promise<void> => authorizationServer.revokeGrant(grantId),
  )
  const authorizationServer: AuthorizationServer = new AuthorizationServer({
    options: {
      publicUrl: config.publicUrl,
      redisPrefix: config.redisPrefix,
      sessionSecret: config.sessionSecret,
      behindTls: config.trustProxy,
      accessTokenTtlSeconds: config.smart.accessTokenTtlSeconds,
      refreshTokenTtlDays: config.smart.refreshTokenTtlDays,
    },
    apps,
    repository: smartRepository,
    users,
    connectedApps,
    redis,
    clock,
    logger,
  })
  const family = new FamilyService(
    new FamilyRepository(db),
    membership,
    audit,
    clock,
    sentEmails,
    config.publicUrl,
    config.helpPhone,
    throttles,
  )
  return {
    ...infrastructure,
    audit,
    sessions,
    credentials,
    users,
    throttle,
    twoStep,
    passkeys: new PasskeyService(twoStepRepository, twoStep, clock),
    signOn: new SignOnService(users, throttle, clock, config.signOnDelayMs, temporaryPasswords),
    emailVerification: new EmailVerificationService(users, clock),
    membership,
    settings: new AccountSettingsService(users, credentials, clock),
    recovery: new RecoveryService(users, credentials, throttle, clock, throttles, temporaryPasswords),
    registration: new RegistrationService(
      db,
      new RegistrationRepository(db),
      credentials,
      audit,
      clock,
      temporaryPasswords,
    ),
    temporaryPasswords,
    letters: lettersRepository,
    letterBatches,
    mailroom: new MailroomService(lettersRepository, letterBatches, temporaryPasswords, audit, clock, {
      directory: config.letters.directory,
      timezone: config.letters.timezone,
    }),
    members,
    labs,
    vaccinations,
    coverage,
    priorAuthorizations,
    appointments,
    ops: new OpsService(db, queues, clock, audit, letterBatches),
    apiUsage: new ApiUsageReport(db),
    prescriptions,
    messages,
    officeReplyNotices: new OfficeReplyNotices(messageRepository, sentEmails, clock, queues, redis, {
      windowMs: config.messages.noticeWindowMs,
      retryDelayMs: config.messages.noticeRetryDelayMs,
      attempts: config.messages.noticeAttempts,
      publicUrl: config.publicUrl,
      helpPhone: config.helpPhone,
    }),
    newResultNotices: new NewResultNotices(labResults, sentEmails, clock, queues, redis, {
      windowMs: config.labs.noticeWindowMs,
      publicUrl: config.publicUrl,
      helpPhone: config.helpPhone,
      redisPrefix: config.redisPrefix,
    }),
    recordAccess,
    connectedApps,
    authorizationServer,
    fhir: new FhirService({
      authorizationServer,
      viewing,
      connectedApps,
      users,
      members,
      recordAccess,
      labs,
      vaccinations,
      coverage,
      priorAuthorizations,
      appointments,
      prescriptions,
      directory: new DirectoryRepository(db),
      pharmacies: prescriptionRepository,
      payer: config.payer,
    }),
    refillSubmissions: new RefillSubmissionService(
      db,
      prescriptionRepository,
      new PharmacyClient(config.pharmacy.url, config.pharmacy.timeoutMs),
      sentEmails,
      clock,
      logger,
      config.publicUrl,
      config.helpPhone,
    ),
    seenWebhooks: new SeenWebhooks(redis, config.redisPrefix),
    family,
    viewing,
    sentEmails,
    accountEmails: new AccountEmailService(
      new NotificationRepository(db),
      sentEmails,
      clock,
      config.publicUrl,
      config.helpPhone,
    ),
  }
}

export type Services = ReturnType<typeof createServices>

export async function closeInfrastructure(infrastructure: Infrastructure): Promise<void> {
  await infrastructure.pdf.close()
  await infrastructure.queues.close()
  await infrastructure.db.destroy()
  infrastructure.mailer.close()
  infrastructure.redis.disconnect()
}
