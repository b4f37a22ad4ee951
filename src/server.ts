import { createApp } from './app'
import { loadConfig } from './config'
import { warnUnlessNoEviction } from './platform/redis'
import { closeInfrastructure, createInfrastructure, createServices } from './services'

/**
 * The web process: build, listen, and on SIGTERM stop taking connections, let the requests in flight finish
 * (each then closes its connection), and only then close the pools and the PDF renderer's Chromium
 * (closeInfrastructure).
 */
async function main(): Promise<void> {
  const services = createServices(createInfrastructure(loadConfig(), {}, 'web'))
  void warnUnlessNoEviction(services.redis, services.logger)
  const app = createApp(services)
  const server = app.listen(services.config.port, () => {
    services.logger.info({ port: services.config.port }, 'web listening')
  })
  let stopping = false
  // A keep-alive connection still busy when SIGTERM came closes after its response instead of idling on. First
  // of the request listeners: after the app's, a response already sent made setHeader throw and the process die
  // with requests in flight (the scale-out test's rare "socket hang up").
  server.prependListener('request', (_req, res) => {
    if (stopping && !res.headersSent) res.setHeader('Connection', 'close')
  })
  const shutdown = (signal: string) => {
    if (stopping) return
    stopping = true
    services.logger.info({ signal }, 'web shutting down: finishing requests in flight')
    server.close(() => {
      closeInfrastructure(services).finally(() => process.exit(0))
    })
    server.closeIdleConnections()
    setTimeout(() => process.exit(1), services.config.shutdownSeconds * 1000).unref()
  }
  process.once('SIGTERM', () => shutdown('SIGTERM'))
  process.once('SIGINT', () => shutdown('SIGINT'))
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error)
  process.exit(1)
})
