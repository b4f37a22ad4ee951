import { loadConfig } from '../src/config'
import { runLocalHelper } from '../src/devtools/local-helper'
import { startPharmacySimulator } from '../src/devtools/pharmacy-simulator'
import { configuredClock } from '../src/platform/clock'

/**
 * The development pharmacy system (see src/devtools/pharmacy-simulator.ts) on PHARMACY_PORT, posting its
 * webhooks to the web app. It signs them on the configured clock (CLOCK_AT), as the portal checks them.
 */
async function main(): Promise<() => Promise<void>> {
  const config = loadConfig()
  // A stand-in that accepts any order: production talks to the real pharmacy system at PHARMACY_URL.
  if (config.production) throw new Error('The pharmacy simulator never runs in production.')
  const clock = configuredClock(config.clockAt)
  const simulator = await startPharmacySimulator({
    port: config.pharmacy.simulatorPort,
    webhookUrl: `${config.publicUrl}/pharmacy/webhook`,
    webhookSecret: config.pharmacy.webhookSecret,
    clock,
    autoReadySeconds: config.pharmacy.autoReadySeconds,
    log: (message) => console.log(`[pharmacy] ${message}`),
  })
  console.log(`Pharmacy simulator on ${simulator.url} (orders ready after ${config.pharmacy.autoReadySeconds} s)`)
  return () => simulator.close()
}

runLocalHelper(main)
