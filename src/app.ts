import { randomUUID } from 'node:crypto'
import express, { Express } from 'express'
import { pinoHttp } from 'pino-http'
import { recoveryRoutes } from './accounts/recovery-routes'
import { accountRoutes } from './accounts/routes'
import { settingsRoutes } from './accounts/settings-routes'
import { appointmentRoutes } from './appointments/routes'
import { coverageRoutes } from './coverage/routes'
import { priorAuthorizationRoutes } from './prior-authorizations/routes'
import { healthRoutes } from './health/routes'
import { homeRoutes } from './home/routes'
import { labRoutes } from './labs/routes'
import { mailroomRoutes } from './mailroom/routes'
import { messageRoutes, unreadMessageCount } from './messages/routes'
import { officeRoutes } from './office/routes'
import { dashboardPath, dashboardRoutes } from './ops/dashboard'
import { WebMetrics } from './ops/metrics'
import { metricsByToken, metricsForOps, opsRoutes } from './ops/routes'
import { familyRoutes } from './family/routes'
import { noStore } from './platform/access'
import { setUpViewing } from './viewing/middleware'
import { officePrescriptionRoutes, pharmacyWebhookRoutes, prescriptionRoutes } from './prescriptions/routes'
import { errorHandler, notFoundHandler, whileRedisDown } from './platform/errors'
import { offerLapsedForm, recoverLapsedForms } from './platform/lapsed-forms'
import { setUpCompression, setUpCsrf, setUpWebSecurity } from './platform/security'
import { setUpSession } from './platform/session'
import { StaticFiles, staticPrefix } from './platform/static-files'
import { publicDirectory, setUpViews, withLayout } from './platform/views'
import type { Services } from './services'
import { registrationRoutes } from './registration/routes'
import { firstSignOnRoutes, holdForFirstSignOn } from './letters/routes'
import { vaccinationRoutes } from './vaccinations/routes'
import { welcomeRoutes } from './welcome/routes'
import { secondStepRoutes } from './two-step/sign-on-routes'
import { twoStepSetupRoutes } from './two-step/setup-routes'
import { holdForTwoStepSetUp } from './two-step/sign-on-flow'
import { fhirRoutes } from './fhir/routes'
import { oauthPath } from './smart/authorization-server'
import { connectAppRoutes, smartConfigurationRoutes, userinfoRoutes } from './smart/routes'
import { languageRoutes } from './language/routes'
import { languageHelpRoutes } from './language-help/routes'
import { detectLanguage, followAccountLanguage } from './platform/i18n'

/** Builds the web app from its services: middleware in order, then the feature routers, then errors. */
export function createApp(services: Services): Express {
  const { config, logger, redis, clock } = services
  const app = express()
  const metrics = new WebMetrics(services.ops, logger)
  app.disable('x-powered-by')
  // Only the listed proxies' X-Forwarded-For is believed: req.ip is the last address none of them vouches for.
  app.set('trust proxy', config.trustedProxies.length > 0 ? config.trustedProxies : false)
  // Pages link to the static files by hashed names, cached for good; the plain names keep working.
  const staticFiles = new StaticFiles(publicDirectory, {
    watch: config.environment === 'development',
    plainMaxAge: config.production ? '1d' : 0,
  })
  setUpViews(app, { helpPhone: config.helpPhone, advicePhone: config.advicePhone }, staticFiles)
  // The time limits, for the pages that state them.
  app.locals.timeLimits = config.session

  app.use(
    pinoHttp({
      logger,
      genReqId: (req, res) => {
        const incoming = req.headers['x-request-id']
        const id = typeof incoming === 'string' && /^[\w-]{1,64}$/.test(incoming) ? incoming : randomUUID()
        res.setHeader('X-Request-Id', id)
        return id
      },
      // Paths only: query strings can carry one-time tokens.
      serializers: {
        req: (req: { id: string; method: string; url: string }) => ({
          id: req.id,
          method: req.method,
          path: req.url.split('?')[0],
        }),
        res: (res: { statusCode: number }) => ({ statusCode: res.statusCode }),
      },
      autoLogging: { ignore: (req) => req.url === '/healthz' },
    }),
  )
  app.use(metrics.observeRequests())
  app.use(setUpWebSecurity({ behindTls: config.trustProxy, relaxedPrefix: dashboardPath }))
  app.use(setUpCompression())
  app.use(staticPrefix, staticFiles.routes())
  app.get('/favicon.ico', staticFiles.favicon())
  // Only the static files above are cacheable: every page is made for one visitor (personal data, a form token,
  // who is signed on), so none is stored or revalidated by an ETag.
  app.set('etag', false)
  app.use(noStore)
  app.use(healthRoutes(services))
  app.use(metricsByToken(config.metricsToken, metrics))
  app.use(pharmacyWebhookRoutes(services))
  // The app's side: the authorization server's endpoints and the FHIR API take no cookies, no CSRF token and
  // no form parsing of the portal's (oidc-provider reads its own bodies; the API only reads).
  app.use(userinfoRoutes(services))
  app.use(oauthPath, services.authorizationServer.handler())
  app.use(smartConfigurationRoutes(services))
  app.use(fhirRoutes(services))

  const csrf = setUpCsrf()
  app.use(detectLanguage())
  app.use(withLayout)
  app.use(whileRedisDown(redis))
  app.use(setUpSession(redis, config, clock))
  app.use(followAccountLanguage)
  app.use(csrf.exposeToken)
  app.use(metricsForOps(metrics))
  // The dashboard's API takes JSON from its own script, before the form parser and CSRF check (see dashboard.ts).
  app.use(dashboardRoutes(services.queues))
  app.use(express.urlencoded({ extended: false, limit: '32kb', parameterLimit: 200 }))
  app.use(csrf.verifyToken)
  app.use(recoverLapsedForms({ clock, submittedToken: csrf.submittedToken, hasLiveToken: csrf.hasLiveToken }))
  app.use(offerLapsedForm(config, clock))
  app.use(holdForFirstSignOn)
  app.use(holdForTwoStepSetUp(services.twoStep))
  // Whom the signed-on member may act for, loaded on each request so a change counts at once.
  app.use(setUpViewing(services.viewing))
  app.use(unreadMessageCount(services))

  app.use(welcomeRoutes())
  app.use(languageRoutes(services))
  app.use(languageHelpRoutes(services.config))
  app.use(accountRoutes(services))
  app.use(secondStepRoutes(services))
  // Before the member-only account settings: staff manage their own 2-step verification too.
  app.use(twoStepSetupRoutes(services))
  app.use(registrationRoutes(services))
  app.use(recoveryRoutes(services))
  app.use(settingsRoutes(services))
  app.use(connectAppRoutes(services))
  app.use(firstSignOnRoutes(services))
  app.use(homeRoutes(services))
  app.use(labRoutes(services))
  app.use(vaccinationRoutes(services))
  app.use(coverageRoutes(services))
  app.use(priorAuthorizationRoutes(services))
  app.use(appointmentRoutes(services))
  app.use(prescriptionRoutes(services))
  app.use(messageRoutes(services))
  app.use(familyRoutes(services))
  app.use(officeRoutes(services))
  app.use(officePrescriptionRoutes(services))
  app.use(opsRoutes(services))
  app.use(mailroomRoutes(services))

  app.use(notFoundHandler)
  app.use(errorHandler(logger))
  return app
}
