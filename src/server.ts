import { createApp } from './app'
import { loadConfig } from './config'
import { closeInfrastructure, createInfrastructure, createServices } from './services'

/**
 * The web process: build, listen, and on SIGTERM stop taking connections before closing the pools and the
 * PDF renderer's Chromium (closeInfrastructure).
 */
async function main(): Promise<void> {
  const services = createServices(createInfrastructure(loadConfig()))
  const app = createApp(services)
  const server = app.listen(services.config.port, () => {
    services.logger.info({ port: services.config.port }, 'web listening')
  })
  const shutdown = (signal: string) => {
    services.logger.info({ signal }, 'web shutting down')
    server.close(() => {
      closeInfrastructure(services).finally(() => process.exit(0))
    })
    server.closeIdleConnections()
    setTimeout(() => process.exit(1), 10_000).unref()
  }
  process.once('SIGTERM', () => shutdown('SIGTERM'))
  process.once('SIGINT', () => shutdown('SIGINT'))
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error)
  process.exit(1)
})
