import os from 'node:os'
import { randomBytes } from 'node:crypto'
import { loadConfig } from '../src/config'
import { createRefillBenchMembers } from '../src/demo/bulk-refills'
import { demoPassword, seedDemoPlan } from '../src/demo/seed'
import { startPharmacySimulator } from '../src/devtools/pharmacy-simulator'
import { systemClock } from '../src/platform/clock'
import { createDb, databaseName, migrateToLatest } from '../src/platform/db'
import { createBenchDatabase, emptyAllTables } from './bench-database'
import {
  benchEnvironment,
  benchPort,
  BenchProcess,
  BrowserSession,
  cpuSeconds,
  loadAverage,
  percentile,
  setting,
  startProcess,
  stopProcesses,
  waitUntilUp,
} from './bench-support'

/**
 * `npm run bench:refills` (and the end of `npm run bench`): refill requests per second end to end, from the
 * web POST that makes a request to its order at the pharmacy simulator, for BENCH_REFILLS requests (1,000)
 * made by BENCH_REFILL_CLIENTS signed-on members at once (25) against one web process and
 * BENCH_REFILL_WORKERS worker processes (2). Prints the rate, the latency percentiles and each process's
 * CPU time; exits 1 when not every request reaches the pharmacy within BENCH_REFILL_TIMEOUT_S (180).
 */
async function main(): Promise<number> {
  const total = setting('BENCH_REFILLS', 1000, 100_000)
  const clients = setting('BENCH_REFILL_CLIENTS', 25, 500)
  const workerCount = setting('BENCH_REFILL_WORKERS', 2, 16)
  const timeoutSeconds = setting('BENCH_REFILL_TIMEOUT_S', 180, 3600)
  const perClient = Math.ceil(total / clients)
  const port = await benchPort('BENCH_PORT')
  const env: NodeJS.ProcessEnv = {
    ...benchEnvironment({
      database: 'member_portal_bench',
      redisPrefix: 'portal-bench-refills',
      port,
      nodeEnv: 'development',
      logLevel: 'warn',
    }),
    OUTBOX_POLL_MS: process.env.OUTBOX_POLL_MS ?? '100',
  }
  const config = loadConfig(env)
  await createBenchDatabase(config.databaseUrl)
  const db = createDb(config.databaseUrl)
  const simulator = await startPharmacySimulator({ webhookSecret: config.pharmacy.webhookSecret, clock: systemClock })
  env.PHARMACY_URL = simulator.url
  const processes: BenchProcess[] = []
  try {
    console.log(
      `Refill benchmark: ${total} requests from ${clients} members at once, 1 web process, ${workerCount} worker ` +
        `processes (refill concurrency ${config.refills.concurrency} each, outbox poll ${config.outboxPollMs} ms)`,
    )
    console.log(
      `${os.cpus().length} CPU cores, Node ${process.version}, database ${databaseName(config.databaseUrl)}, ` +
        `load average ${loadAverage()}`,
    )
    await migrateToLatest(db)
    await emptyAllTables(db)
    await seedDemoPlan(db, systemClock, 'development', { twoStepKey: config.twoStep.key })
    const members = await createRefillBenchMembers(db, {
      members: clients,
      medicinesEach: perClient,
      password: demoPassword,
      now: systemClock(),
    })
    const redis = new (await import('ioredis')).Redis(config.redisUrl)
    const stale = await redis.keys('portal-bench-refills*')
    if (stale.length > 0) await redis.del(...stale)
    redis.disconnect()

    processes.push(startProcess('web', 'src/server.ts', env))
    for (let n = 1; n <= workerCount; n++) processes.push(startProcess(`worker ${n}`, 'jobs/worker.ts', env))
    const base = `http://127.0.0.1:${port}`
    await waitUntilUp(`${base}/healthz`, processes[0])
    const sessions = await Promise.all(
      members.map(async (member) => {
        const session = new BrowserSession(base)
        await session.signOn(member.userId, demoPassword)
        await session.request('GET', '/prescriptions/refill')
        return { session, member }
      }),
    )
    // Give the workers a moment to start; they relay whatever is waiting when they do.
    await new Promise((resolve) => setTimeout(resolve, 2000))
    const cpuBefore = processes.map((process) => cpuSeconds(process.child.pid))
    const benchCpuBefore = process.cpuUsage()

    // Posting times by request id; the orders name their request by its idempotency key, read back below.
    const postedAt = new Map<string, number>()
    const postMs: number[] = []
    let made = 0
    const started = Date.now()
    await Promise.all(
      sessions.map(async ({ session, member }) => {
        for (const medicationId of member.medicationIds) {
          if (made >= total) return
          made += 1
          const requestToken = randomBytes(18).toString('base64url')
          const chosen = await session.request('POST', '/prescriptions/refill', {
            _csrf: session.csrf,
            requestToken,
            medications: String(medicationId),
            delivery: 'mail',
          })
          if (chosen.status !== 303) throw new Error(`The refill form answered ${chosen.status}`)
          const postStart = Date.now()
          const sent = await session.request('POST', '/prescriptions/refill/check', {
            _csrf: session.csrf,
            requestToken,
          })
          postMs.push(Date.now() - postStart)
          const id = /\/prescriptions\/requests\/(\d+)\/confirmation/.exec(sent.location)?.[1]
          if (!id) throw new Error(`The check page answered ${sent.status} ${sent.location}`)
          postedAt.set(id, postStart)
        }
      }),
    )
    const postsDone = Date.now()
    while (simulator.orders().length < total) {
      if (Date.now() - started > timeoutSeconds * 1000) break
      await new Promise((resolve) => setTimeout(resolve, 50))
    }
    const orders = simulator.orders()
    const lastOrder = Math.max(...orders.map((order) => order.receivedAtMs))
    const cpuAfter = processes.map((process) => cpuSeconds(process.child.pid))
    const benchCpu = process.cpuUsage(benchCpuBefore)
    const idOfKey = new Map<string, string>(
      (await db('refill_requests').select('id', 'idempotency_key')).map(
        (row: { id: number; idempotency_key: string }) => [row.idempotency_key, String(row.id)],
      ),
    )
    const latencies = orders
      .map((order) => order.receivedAtMs - (postedAt.get(idOfKey.get(order.idempotencyKey) ?? '') ?? NaN))
      .filter(Number.isFinite)
      .sort((a, b) => a - b)
    const keys = new Set(orders.map((order) => order.idempotencyKey))
    const seconds = (lastOrder - started) / 1000
    postMs.sort((a, b) => a - b)

    console.log('')
    console.log(
      `requests made: ${postedAt.size}; orders at the pharmacy: ${orders.length} (${keys.size} distinct keys)`,
    )
    console.log(
      `web POSTs done in ${((postsDone - started) / 1000).toFixed(1)} s; last order after ${seconds.toFixed(1)} s`,
    )
    console.log(`refill requests per second, end to end: ${(orders.length / seconds).toFixed(0)}`)
    console.log(
      `POST → order ms: p50 ${percentile(latencies, 0.5)}, p95 ${percentile(latencies, 0.95)}, ` +
        `p99 ${percentile(latencies, 0.99)}, max ${latencies[latencies.length - 1]}`,
    )
    console.log(`the creating POST's own response ms: p50 ${percentile(postMs, 0.5)}, p99 ${percentile(postMs, 0.99)}`)
    console.log('CPU seconds during the run (where the time goes):')
    processes.forEach((process, index) =>
      console.log(`  ${process.name.padEnd(10)} ${(cpuAfter[index] - cpuBefore[index]).toFixed(1)}`),
    )
    console.log(
      `  ${'bench'.padEnd(10)} ${((benchCpu.user + benchCpu.system) / 1e6).toFixed(1)} (the members' HTTP clients and the simulator)`,
    )
    console.log(`load average at the end: ${loadAverage()}`)
    return orders.length === total && keys.size === total ? 0 : 1
  } finally {
    await stopProcesses(processes)
    await simulator.close()
    await db.destroy()
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error)
    process.exit(1)
  },
)
