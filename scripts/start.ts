import { ChildProcess, spawn } from 'node:child_process'
import path from 'node:path'
import { loadConfig } from '../src/config'
import { demoAccounts, demoPassword, demoPlanLoaded, seedDemoPlan } from '../src/demo/seed'
import { configuredClock } from '../src/platform/clock'
import { createDb, migrateToLatest } from '../src/platform/db'

const root = path.resolve(__dirname, '..')

/** The processes of the Procfile, plus the local helpers later features add, run side by side for development. */
const processes: { name: string; entry: string }[] = [
  { name: 'mail catcher', entry: 'scripts/mail-catcher.ts' },
  { name: 'pharmacy simulator', entry: 'scripts/pharmacy-simulator.ts' },
  { name: 'web', entry: 'src/server.ts' },
  { name: 'worker', entry: 'jobs/worker.ts' },
]

async function prepareDatabase(): Promise<void> {
  const config = loadConfig()
  const db = createDb(config.databaseUrl)
  try {
    await migrateToLatest(db)
    if (!config.production && !(await demoPlanLoaded(db))) {
      await seedDemoPlan(db, configuredClock(config.clockAt), config.environment)
      console.log('Loaded the demo plan (first run).')
    }
  } finally {
    await db.destroy()
  }
}

async function waitUntilServing(url: string, seconds = 30): Promise<boolean> {
  for (let i = 0; i < seconds * 4; i++) {
    try {
      if ((await fetch(`${url}/healthz`)).ok) return true
    } catch {
      // not listening yet
    }
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
  return false
}

async function main(): Promise<void> {
  const config = loadConfig()
  await prepareDatabase()
  const children: ChildProcess[] = []
  let stopping = false
  const stopAll = (code: number) => {
    if (stopping) return
    stopping = true
    for (const child of children) child.kill('SIGTERM')
    setTimeout(() => process.exit(code), 5_000).unref()
    Promise.all(
      children.map(
        (child) => new Promise((resolve) => (child.exitCode !== null ? resolve(null) : child.once('exit', resolve))),
      ),
    ).then(() => process.exit(code))
  }
  for (const { name, entry } of processes) {
    const child = spawn(process.execPath, ['--import', 'tsx', entry], { cwd: root, stdio: 'inherit', env: process.env })
    child.once('exit', (code, signal) => {
      if (!stopping) {
        console.error(`The ${name} process stopped (${signal ?? `exit ${code}`}); stopping the others.`)
        stopAll(1)
      }
    })
    children.push(child)
  }
  process.once('SIGINT', () => stopAll(0))
  process.once('SIGTERM', () => stopAll(0))

  const url = `http://localhost:${config.port}`
  if (!(await waitUntilServing(url))) {
    console.error(`The web process did not answer on ${url}`)
    return stopAll(1)
  }
  const accounts = demoAccounts
    .map((account) => `  ${account.userId.padEnd(16)} ${account.role.padEnd(9)} ${account.who}`)
    .join('\n')
  console.log(`
Member Portal is running at ${url}

Demo accounts (password for all: ${demoPassword}):
${accounts}
Members without an account yet: Maria Garcia (MRN 11000001, born 1985-03-14) and James Chen (MRN 11000002, born 1972-11-02).

Refill requests go to the local pharmacy simulator on ${config.pharmacy.url}; it marks orders ready after ${config.pharmacy.autoReadySeconds} s.

The mobile app's API: ${url}/fhir/R4 (discovery at ${url}/fhir/R4/.well-known/smart-configuration); the demo app
"member-portal-mobile" is registered in ${config.smart.clientsFile} (see the curl walk-through in docs/api.md).

Email goes to the local mail catcher: read it at http://localhost:${config.mailCatcher.webPort} or in var/mail/.

Press Ctrl+C to stop.
`)
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error)
  process.exit(1)
})
