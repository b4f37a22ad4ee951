import { randomBytes } from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import autocannon from 'autocannon'
import { Redis } from 'ioredis'
import { loadConfig } from '../src/config'
import { demoPassword, seedDemoPlan } from '../src/demo/seed'
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
  root,
  setting,
  startProcess,
  stopProcesses,
  waitUntilUp,
} from './bench-support'

/**
 * `npm run bench:pages` (and part of `npm run bench`): how fast the web process serves pages, in production
 * mode, on its own database with the demo plan, signed on as alex.rivera. Each page is loaded by autocannon
 * (BENCH_PAGES_CONNECTIONS connections for BENCH_PAGES_SECONDS seconds) right after a bare Express + EJS page
 * served by a process of its own (`scripts/bench-bare-page.ts`), so the share of the bare page's requests per
 * second is measured under the same load on the machine. Then a sign-on storm: BENCH_SIGN_ON_RATE sign-ons a
 * second while /home is loaded. Prints a table and writes bench/results.json.
 */

interface Load {
  requestsPerSecond: number
  p50: number
  p99: number
  requests: number
  non2xx: number
  errors: number
}

interface EventLoop {
  mean: number
  p50: number
  p99: number
  max: number
}

interface Probe {
  eventLoop: EventLoop
  queries: number
  redisCommands: number
}

const resultsFile = path.join(root, 'bench', 'results.json')

async function measure(url: string, seconds: number, connections: number, cookie?: string): Promise<Load> {
  const result = await autocannon({
    url,
    connections,
    duration: seconds,
    headers: cookie ? { cookie } : {},
  })
  return {
    requestsPerSecond: Math.round(result.requests.average),
    p50: result.latency.p50,
    p99: result.latency.p99,
    requests: result.requests.total,
    non2xx: result.non2xx,
    errors: result.errors + result.timeouts,
  }
}

/** The web process's event-loop delay and round trips since the last reset (see scripts/bench-probe.ts). */
function probeOf(web: BenchProcess): { reset: () => void; read: () => Promise<Probe> } {
  return {
    reset: () => web.child.send('probe-reset'),
    read: () =>
      new Promise((resolve) => {
        web.child.once('message', (message: Probe) => resolve(message))
        web.child.send('probe-read')
      }),
  }
}

const ms = (value: number) => value.toFixed(1)

async function main(): Promise<number> {
  const seconds = setting('BENCH_PAGES_SECONDS', 10, 600)
  const connections = setting('BENCH_PAGES_CONNECTIONS', 50, 1000)
  const signOnRate = setting('BENCH_SIGN_ON_RATE', 20, 500)
  // BENCH_PAGES=/home,/labs measures only those pages, BENCH_STORM=0 skips the storm (for profiling one change).
  const only = process.env.BENCH_PAGES?.split(',')
  const withStorm = process.env.BENCH_STORM !== '0'
  const port = await benchPort('BENCH_PORT')
  const barePort = await benchPort('BENCH_BARE_PORT')
  const env: NodeJS.ProcessEnv = {
    ...benchEnvironment({
      database: 'member_portal_bench_pages',
      redisPrefix: 'portal-bench-pages',
      port,
      nodeEnv: 'production',
      logLevel: process.env.XLEVEL ?? 'info',
    }),
    // Production mode wants real secrets.
    SESSION_SECRET: randomBytes(32).toString('hex'),
    PHARMACY_WEBHOOK_SECRET: randomBytes(32).toString('hex'),
    TWO_STEP_KEY: randomBytes(32).toString('hex'),
  }
  delete env.CLOCK_AT
  const config = loadConfig(env)
  await createBenchDatabase(config.databaseUrl)
  const db = createDb(config.databaseUrl)
  const redis = new Redis(config.redisUrl)
  const processes: BenchProcess[] = []
  // Every visitor to the sign-on page gets a session: the bench's are removed before and after.
  const clearKeys = async () => {
    const stale = await redis.keys(`${config.redisPrefix}:*`)
    for (let i = 0; i < stale.length; i += 1000) await redis.del(...stale.slice(i, i + 1000))
  }
  const startLoad = loadAverage()
  try {
    console.log(
      `Page benchmark: ${connections} connections, ${seconds} s a page, the web process in production mode; ` +
        `${os.cpus().length} CPU cores, Node ${process.version}, database ${databaseName(config.databaseUrl)}`,
    )
    console.log(`load average at the start: ${startLoad}`)
    await migrateToLatest(db)
    await emptyAllTables(db)
    await seedDemoPlan(db, systemClock, 'development', { twoStepKey: config.twoStep.key })
    await clearKeys()
    // Alex's newest LDL result: a released result with a trend chart, the fullest result page.
    const labResult = (await db('lab_results as r')
      .join('members as m', 'm.id', 'r.member_id')
      .where({ 'm.mrn': '11000003', 'r.test_code': 'LDL' })
      .orderBy('r.collected_at', 'desc')
      .first('r.id')) as { id: number }

    const web = startProcess('web', 'src/server.ts', env, { preload: ['scripts/bench-probe.ts'], ipc: true })
    processes.push(web)
    const bare = startProcess('bare page', 'scripts/bench-bare-page.ts', {
      ...process.env,
      NODE_ENV: 'production',
      PORT: String(barePort),
    })
    processes.push(bare)
    const base = `http://127.0.0.1:${port}`
    const bareUrl = `http://127.0.0.1:${barePort}/`
    await waitUntilUp(`${base}/healthz`, web)
    await waitUntilUp(bareUrl, bare)
    const probe = probeOf(web)

    const alex = new BrowserSession(base)
    await alex.signOn('alex.rivera', demoPassword)
    const pages = [
      { name: 'home', path: '/home', signedOn: true, title: 'Your home' },
      { name: 'lab results', path: '/labs', signedOn: true, title: 'Lab results' },
      { name: 'a lab result', path: `/labs/${labResult.id}`, signedOn: true, title: 'LDL cholesterol' },
      { name: 'coverage', path: '/coverage', signedOn: true, title: 'Coverage and costs' },
      { name: 'vaccinations', path: '/vaccinations', signedOn: true, title: 'Vaccination records' },
      { name: 'welcome (signed out)', path: '/', signedOn: false, title: 'Start managing your health online' },
      { name: 'sign-on (signed out)', path: '/sign-on', signedOn: false, title: 'Sign on' },
    ].filter((page) => !only || only.includes(page.path))
    for (const page of pages) {
      const visitor = page.signedOn ? alex : new BrowserSession(base)
      const shown = await visitor.request('GET', page.path)
      if (shown.status !== 200 || !shown.text.includes(`<title>${page.title}`))
        throw new Error(`${page.path} answered ${shown.status} ${shown.location}, not the page "${page.title}"`)
    }
    // Round trips a page costs, counted over requests made one at a time (exact, whatever the machine's load).
    const roundTrips = new Map<string, { queries: number; redisCommands: number }>()
    for (const page of pages) {
      const visitor = page.signedOn ? alex : new BrowserSession(base)
      const before = await probe.read()
      for (let n = 0; n < 20; n++) {
        const shown = await visitor.request('GET', page.path)
        if (shown.status !== 200) throw new Error(`${page.path} answered ${shown.status} ${shown.location}`)
      }
      const after = await probe.read()
      roundTrips.set(page.path, {
        queries: (after.queries - before.queries) / 20,
        redisCommands: (after.redisCommands - before.redisCommands) / 20,
      })
    }
    // Warm both processes up (JIT, pools, template cache) before anything counts.
    for (const page of pages) await measure(`${base}${page.path}`, 2, 10, page.signedOn ? alex.cookie : undefined)
    await measure(bareUrl, 2, 10)

    const webCpuBefore = cpuSeconds(web.child.pid)
    const rows: {
      page: string
      path: string
      load: Load
      bare: Load
      share: number
      eventLoop: EventLoop
      queriesPerRequest: number
      redisCommandsPerRequest: number
      webCpuMsPerRequest: number
      bareCpuMsPerRequest: number
    }[] = []
    for (const page of pages) {
      const bareCpuBefore = cpuSeconds(bare.child.pid)
      const bareLoad = await measure(bareUrl, seconds, connections)
      const bareCpuMsPerRequest = ((cpuSeconds(bare.child.pid) - bareCpuBefore) * 1000) / Math.max(1, bareLoad.requests)
      probe.reset()
      const cpuBefore = cpuSeconds(web.child.pid)
      const load = await measure(`${base}${page.path}`, seconds, connections, page.signedOn ? alex.cookie : undefined)
      // The web process's own CPU a request: steadier than requests/s on a shared machine, for comparing changes.
      const webCpuMsPerRequest = ((cpuSeconds(web.child.pid) - cpuBefore) * 1000) / Math.max(1, load.requests)
      const share = load.requestsPerSecond / bareLoad.requestsPerSecond
      const { eventLoop } = await probe.read()
      rows.push({
        page: page.name,
        path: page.path,
        load,
        bare: bareLoad,
        share,
        eventLoop,
        webCpuMsPerRequest: Number(webCpuMsPerRequest.toFixed(3)),
        bareCpuMsPerRequest: Number(bareCpuMsPerRequest.toFixed(3)),
        queriesPerRequest: roundTrips.get(page.path)!.queries,
        redisCommandsPerRequest: roundTrips.get(page.path)!.redisCommands,
      })
      console.log(
        `  ${page.name}: ${load.requestsPerSecond}/s (${Math.round(share * 100)}% of the bare page's ` +
          `${bareLoad.requestsPerSecond}/s), load average ${loadAverage()}`,
      )
    }
    const webCpu = cpuSeconds(web.child.pid) - webCpuBefore

    // The sign-on storm: /home alone, then /home while new visitors sign on at signOnRate a second.
    const signOnStorm = async () => {
      probe.reset()
      const calm = await measure(`${base}/home`, seconds, connections, alex.cookie)
      const calmLoop = (await probe.read()).eventLoop
      const signOnMs: number[] = []
      let signOnFailures = 0
      const storming: Promise<void>[] = []
      probe.reset()
      const stormLoad = measure(`${base}/home`, seconds, connections, alex.cookie)
      const stormStart = performance.now()
      for (let n = 0; performance.now() - stormStart < seconds * 1000; n++) {
        const due = stormStart + (n * 1000) / signOnRate
        await new Promise((resolve) => setTimeout(resolve, Math.max(0, due - performance.now())))
        const started = performance.now()
        storming.push(
          new BrowserSession(base).signOn('alex.rivera', demoPassword).then(
            () => void signOnMs.push(performance.now() - started),
            () => void (signOnFailures += 1),
          ),
        )
      }
      const storm = await stormLoad
      await Promise.all(storming)
      const stormLoop = (await probe.read()).eventLoop
      signOnMs.sort((a, b) => a - b)
      return { calm, calmLoop, storm, stormLoop, signOnMs, signOnFailures }
    }
    const stormed = withStorm ? await signOnStorm() : undefined
    const endLoad = loadAverage()

    const failed = rows.some((row) => row.load.non2xx > 0 || row.load.errors > 0) || (stormed?.storm.non2xx ?? 0) > 0
    console.log('')
    console.log(
      `| page | path | requests/s | p50 ms | p99 ms | bare page requests/s | bare p99 ms | share of the bare page | event-loop delay p99 ms | CPU ms a request: web / bare | SQL statements a request | Redis commands a request |`,
    )
    console.log('|---|---|---:|---:|---:|---:|---:|---:|---:|---:|---:|---:|')
    for (const row of rows)
      console.log(
        `| ${row.page} | \`${row.path}\` | ${row.load.requestsPerSecond} | ${row.load.p50} | ${row.load.p99} | ` +
          `${row.bare.requestsPerSecond} | ${row.bare.p99} | ${Math.round(row.share * 100)}% | ${ms(row.eventLoop.p99)} | ` +
          `${row.webCpuMsPerRequest.toFixed(2)} / ${row.bareCpuMsPerRequest.toFixed(2)} | ` +
          `${row.queriesPerRequest} | ${row.redisCommandsPerRequest} |`,
      )
    console.log('')
    if (stormed) {
      const { calm, calmLoop, storm, stormLoop, signOnMs, signOnFailures } = stormed
      console.log(
        `sign-on storm (${signOnRate} sign-ons a second for ${seconds} s): ${signOnMs.length} signed on, ` +
          `${signOnFailures} failed; sign-on (page + POST) p50 ${ms(percentile(signOnMs, 0.5))} ms, ` +
          `p99 ${ms(percentile(signOnMs, 0.99))} ms`,
      )
      console.log(
        `/home p99: ${calm.p99} ms alone (${calm.requestsPerSecond}/s), ${storm.p99} ms during the storm ` +
          `(${storm.requestsPerSecond}/s): ${(storm.p99 / calm.p99).toFixed(2)}×`,
      )
      console.log(
        `event-loop delay of the web process, p99 / max ms: ${ms(calmLoop.p99)} / ${ms(calmLoop.max)} alone, ` +
          `${ms(stormLoop.p99)} / ${ms(stormLoop.max)} during the storm`,
      )
    }
    console.log(`web process CPU seconds over the page runs: ${webCpu.toFixed(1)}`)
    console.log(`load average at the start: ${startLoad}; at the end: ${endLoad}`)
    if (failed) console.log('Some requests did not answer 2xx: the figures above are not valid.')

    // Only a whole run stands for the bench: a trial of some pages leaves the last whole run's figures in place.
    if (only || !stormed)
      console.log(
        `a partial run (BENCH_PAGES or BENCH_STORM=0): ${path.relative(process.cwd(), resultsFile)} left as it was`,
      )
    else {
      fs.mkdirSync(path.dirname(resultsFile), { recursive: true })
      fs.writeFileSync(
        resultsFile,
        `${JSON.stringify(
          {
            node: process.version,
            cpus: os.cpus().length,
            connections,
            seconds,
            loadAverage: { start: startLoad, end: endLoad },
            pages: rows.map((row) => ({ ...row, share: Number(row.share.toFixed(3)) })),
            signOnStorm: {
              signOnsPerSecond: signOnRate,
              signedOn: stormed.signOnMs.length,
              failed: stormed.signOnFailures,
              signOnMs: { p50: percentile(stormed.signOnMs, 0.5), p99: percentile(stormed.signOnMs, 0.99) },
              home: {
                alone: stormed.calm,
                duringStorm: stormed.storm,
                p99Ratio: Number((stormed.storm.p99 / stormed.calm.p99).toFixed(2)),
              },
              eventLoop: { alone: stormed.calmLoop, duringStorm: stormed.stormLoop },
            },
          },
          null,
          2,
        )}\n`,
      )
      console.log(`written to ${path.relative(process.cwd(), resultsFile)}`)
    }
    return failed || (stormed?.signOnFailures ?? 0) > 0 ? 1 : 0
  } finally {
    await stopProcesses(processes)
    await db.destroy()
    await clearKeys()
    redis.disconnect()
  }
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error)
    process.exit(1)
  },
)
