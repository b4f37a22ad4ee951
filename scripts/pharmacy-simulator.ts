import { loadConfig } from '../src/config'
import { startPharmacySimulator } from '../src/devtools/pharmacy-simulator'
import { systemClock } from '../src/platform/clock'

/**
 * The development pharmacy system (see src/devtools/pharmacy-simulator.ts) on PHARMACY_PORT, posting its
 * webhooks to the web app. PHARMACY_CLOCK_START (an ISO instant) starts its clock there instead of now, for
 * a portal running on a moved clock.
 */
async function main(): Promise<void> {
  const config = loadConfig()
  // A stand-in that accepts any order: production talks to the real pharmacy system at PHARMACY_URL.
  if (config.production) throw new Error('The pharmacy simulator never runs in production.')
  const start = process.env.PHARMACY_CLOCK_START ? Date.parse(process.env.PHARMACY_CLOCK_START) : NaN
  const launchedAt = Date.now()
  const clock = Number.isNaN(start) ? systemClock : () => new Date(start + (Date.now() - launchedAt))
  const simulator = await startPharmacySimulator({
    port: config.pharmacy.simulatorPort,
    webhookUrl: `${config.publicUrl}/pharmacy/webhook`,
    webhookSecret: config.pharmacy.webhookSecret,
    clock,
    autoReadySeconds: config.pharmacy.autoReadySeconds,
    log: (message) => console.log(`[pharmacy] ${message}`),
  })
  console.log(`Pharmacy simulator on ${simulator.url} (orders ready after ${config.pharmacy.autoReadySeconds} s)`)
  const stop = async () => {
    await simulator.close()
    process.exit(0)
  }
  process.once('SIGTERM', () => void stop())
  process.once('SIGINT', () => void stop())
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error)
  process.exit(1)
})
