import { execFileSync, spawn } from 'node:child_process'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { loadConfig } from '../src/config'
import { createPendingLetters } from '../src/demo/bulk-letters'
import { seedDemoPlan } from '../src/demo/seed'
import { systemClock } from '../src/platform/clock'
import { createDb, databaseName, Db, migrateToLatest } from '../src/platform/db'
import { createBenchDatabase, emptyAllTables } from './bench-database'

/**
 * `npm run bench`: how fast the temporary-password letter batch runs and how much memory it holds, for 1,000
 * and 10,000 letters (BENCH_SIZES=100,1000 for a quick run). Each batch runs in a worker-like child process
 * against a database of its own; the figures are printed, never judged. Exits 1 only when a batch fails.
 */
const root = path.resolve(__dirname, '..')
const prefix = 'bench'
const sampleMs = 500

interface BatchReport {
  batchId: string
  directory: string
  pieces: number
  pages: number
  seconds: number
  chunkSize: number
  peakRssMb: number
  heapUsedMb: number
}

interface Measurement {
  letters: number
  seconds: number
  workerPeakMb: number
  chromiumPeakMb: number
  chromiumPeakPssMb: number
  pdfunitePeakMb: number
  pdfBytes: number
}

function sizesFrom(text: string): number[] {
  // A batch takes at most 20,000 letters (maxLetters in src/services.ts).
  const sizes = text.split(',').map((size) => Number(size.trim()))
  if (sizes.some((size) => !Number.isInteger(size) || size < 1 || size > 20_000))
    throw new Error(`BENCH_SIZES must be whole numbers from 1 to 20000, comma separated (got "${text}")`)
  return sizes
}

/** The environment of the batch process: the bench's own database, Redis prefix and letters directory. */
function benchEnvironment(lettersDir: string): NodeJS.ProcessEnv {
  return {
    ...process.env,
    DATABASE_URL: process.env.BENCH_DATABASE_URL ?? 'mysql://root@127.0.0.1:3306/member_portal_bench',
    REDIS_URL: process.env.BENCH_REDIS_URL ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    REDIS_PREFIX: 'portal-bench',
    LETTERS_DIR: lettersDir,
    LETTERS_CHUNK_SIZE: process.env.LETTERS_CHUNK_SIZE ?? '200',
    LOG_LEVEL: process.env.LOG_LEVEL ?? 'warn',
  }
}

/** Removes the previous size's letters, batches and bulk members, keeping the demo plan. */
async function clearLetters(db: Db): Promise<void> {
  await db('temp_password_requests').del()
  await db('letter_batches').del()
  const benchMembers = db('members')
    .where({ last_name: `Member${prefix}` })
    .select('id')
  await db('users').whereIn('member_id', benchMembers).del()
  await db('members')
    .where({ last_name: `Member${prefix}` })
    .del()
}

interface MemorySample {
  chromiumRssKb: number
  chromiumPssKb: number
  pdfuniteRssKb: number
}

/**
 * Memory (kB) of the process's descendants from /proc, Chromium's and pdfunite's apart. Summed RSS counts
 * the pages Chromium's processes share once per process; PSS splits them, so it is what they really hold.
 */
async function descendantsMemory(pid: number): Promise<MemorySample> {
  const children = new Map<number, number[]>()
  for (const entry of await fs.promises.readdir('/proc')) {
    if (!/^\d+$/.test(entry)) continue
    const stat = await fs.promises.readFile(`/proc/${entry}/stat`, 'utf8').catch(() => '')
    // The name in parentheses may hold spaces; the parent id is the second field after it.
    const parent = Number(stat.slice(stat.lastIndexOf(')') + 2).split(' ')[1])
    if (!parent) continue
    children.set(parent, [...(children.get(parent) ?? []), Number(entry)])
  }
  const totals: MemorySample = { chromiumRssKb: 0, chromiumPssKb: 0, pdfuniteRssKb: 0 }
  const queue = [...(children.get(pid) ?? [])]
  while (queue.length > 0) {
    const current = queue.shift()!
    queue.push(...(children.get(current) ?? []))
    const status = await fs.promises.readFile(`/proc/${current}/status`, 'utf8').catch(() => '')
    const name = /^Name:\s+(.*)$/m.exec(status)?.[1] ?? ''
    const rssKb = Number(/^VmRSS:\s+(\d+) kB$/m.exec(status)?.[1] ?? 0)
    if (name === 'pdfunite') totals.pdfuniteRssKb += rssKb
    else if (name.includes('chrom')) {
      totals.chromiumRssKb += rssKb
      const rollup = await fs.promises.readFile(`/proc/${current}/smaps_rollup`, 'utf8').catch(() => '')
      totals.chromiumPssKb += Number(/^Pss:\s+(\d+) kB$/m.exec(rollup)?.[1] ?? 0)
    }
  }
  return totals
}

async function runBatchProcess(env: NodeJS.ProcessEnv) {
  const child = spawn(process.execPath, ['--import', 'tsx', path.join(root, 'scripts', 'bench-batch.ts')], {
    cwd: root,
    env,
    stdio: ['ignore', 'pipe', 'pipe'],
  })
  let stdout = ''
  let stderr = ''
  child.stdout.on('data', (chunk: Buffer) => (stdout += chunk.toString()))
  child.stderr.on('data', (chunk: Buffer) => (stderr = (stderr + chunk.toString()).slice(-4000)))
  const peaks: MemorySample = { chromiumRssKb: 0, chromiumPssKb: 0, pdfuniteRssKb: 0 }
  let sampling = false
  const sampler = setInterval(() => {
    if (sampling || child.pid === undefined) return
    sampling = true
    descendantsMemory(child.pid)
      .then((sample) => {
        for (const key of Object.keys(peaks) as (keyof MemorySample)[]) peaks[key] = Math.max(peaks[key], sample[key])
      })
      .catch(() => undefined)
      .finally(() => (sampling = false))
  }, sampleMs)
  const code = await new Promise<number | null>((resolve, reject) => {
    child.once('error', reject)
    child.once('exit', resolve)
  }).finally(() => clearInterval(sampler))
  const line = stdout
    .split('\n')
    .reverse()
    .find((candidate) => candidate.includes('"peakRssMb"'))
  if (code !== 0 || !line) throw new Error(`The batch process failed (exit ${code}):\n${stderr || stdout.slice(-4000)}`)
  return {
    report: JSON.parse(line) as BatchReport,
    chromiumPeakMb: peaks.chromiumRssKb / 1024,
    chromiumPeakPssMb: peaks.chromiumPssKb / 1024,
    pdfunitePeakMb: peaks.pdfuniteRssKb / 1024,
  }
}

function pdfPages(file: string): number {
  return Number(/^Pages:\s+(\d+)/m.exec(execFileSync('pdfinfo', [file], { encoding: 'utf8' }))?.[1])
}

function chromiumVersion(chromiumPath: string): string {
  try {
    return execFileSync(chromiumPath, ['--version'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim()
  } catch {
    return 'Chromium (version unknown)'
  }
}

const loadAverage = () =>
  os
    .loadavg()
    .map((load) => load.toFixed(2))
    .join(' ')

function printTable(measurements: Measurement[]): void {
  const header = [
    'letters',
    'seconds',
    'letters/second',
    'worker peak RSS MB',
    'Chromium peak RSS MB',
    'Chromium peak PSS MB',
    'pdfunite peak RSS MB',
    'letters.pdf MB',
  ]
  const rows = measurements.map((m) => [
    m.letters.toLocaleString('en-US'),
    m.seconds.toFixed(1),
    (m.letters / m.seconds).toFixed(1),
    m.workerPeakMb.toFixed(0),
    m.chromiumPeakMb.toFixed(0),
    m.chromiumPeakPssMb.toFixed(0),
    m.pdfunitePeakMb > 0 ? m.pdfunitePeakMb.toFixed(0) : '–',
    (m.pdfBytes / 1024 / 1024).toFixed(1),
  ])
  const widths = header.map((title, column) => Math.max(title.length, ...rows.map((row) => row[column].length)))
  const line = (cells: string[]) => `| ${cells.map((cell, column) => cell.padStart(widths[column])).join(' | ')} |`
  console.log(line(header))
  console.log(`|${widths.map((width) => '-'.repeat(width + 1) + ':').join('|')}|`)
  for (const row of rows) console.log(line(row))
}

async function main(): Promise<number> {
  const sizes = sizesFrom(process.env.BENCH_SIZES ?? '1000,10000')
  const lettersDir = fs.mkdtempSync(path.join(os.tmpdir(), 'member-portal-bench-letters-'))
  // The letters hold live-looking passwords: they never outlive the run, even one stopped with Ctrl+C.
  const removeLetters = () => fs.rmSync(lettersDir, { recursive: true, force: true })
  process.once('SIGINT', () => {
    removeLetters()
    process.exit(130)
  })
  try {
    return await benchmark(sizes, benchEnvironment(lettersDir))
  } finally {
    removeLetters()
  }
}

/** Loads the demo plan into the bench database, then runs one batch per size; returns the exit code. */
async function benchmark(sizes: number[], env: NodeJS.ProcessEnv): Promise<number> {
  const config = loadConfig(env)
  if (config.production) throw new Error('Refusing to run the benchmark with NODE_ENV=production')
  const measurements: Measurement[] = []
  let failed = false
  await createBenchDatabase(config.databaseUrl)
  const db = createDb(config.databaseUrl)
  try {
    console.log(
      `Letter batch benchmark: chunk size ${config.letters.chunkSize} (LETTERS_CHUNK_SIZE), sizes ${sizes.join(', ')}`,
    )
    console.log(
      `${os.cpus().length} CPU cores, ${(os.totalmem() / 1024 ** 3).toFixed(0)} GB memory, Node ${process.version}, ` +
        `${chromiumVersion(config.chromiumPath)}, database ${databaseName(config.databaseUrl)}, ` +
        `load average ${loadAverage()}`,
    )
    await migrateToLatest(db)
    await emptyAllTables(db)
    await seedDemoPlan(db, systemClock, config.environment, { twoStepKey: config.twoStep.key })
    for (const size of sizes) {
      await clearLetters(db)
      const seeding = Date.now()
      await createPendingLetters(db, systemClock, size, prefix)
      console.log(
        `${size} letters waiting (made in ${((Date.now() - seeding) / 1000).toFixed(1)} s); running the batch…`,
      )
      try {
        const { report, chromiumPeakMb, chromiumPeakPssMb, pdfunitePeakMb } = await runBatchProcess(env)
        const lettersFile = path.join(report.directory, 'letters.pdf')
        const pages = pdfPages(lettersFile)
        if (report.pieces !== size || pages !== size)
          throw new Error(`Batch ${report.batchId} holds ${report.pieces} letters and ${pages} pages, not ${size}`)
        measurements.push({
          letters: size,
          seconds: report.seconds,
          workerPeakMb: report.peakRssMb,
          chromiumPeakMb,
          chromiumPeakPssMb,
          pdfunitePeakMb,
          pdfBytes: fs.statSync(lettersFile).size,
        })
        console.log(
          `  batch ${report.batchId}: ${report.pages} pages in ${report.seconds.toFixed(1)} s, ` +
            `worker peak RSS ${report.peakRssMb.toFixed(0)} MB (heap ${report.heapUsedMb.toFixed(0)} MB at the end)`,
        )
        fs.rmSync(report.directory, { recursive: true, force: true })
      } catch (error) {
        console.error(error instanceof Error ? error.message : error)
        failed = true
        break
      }
    }
    console.log('')
    console.log(
      `Chunk size ${config.letters.chunkSize} letters per PDF render. RSS sums every process of its kind; ` +
        `load average ${loadAverage()} at the end (other work on the machine slows the batch).`,
    )
    printTable(measurements)
  } finally {
    await db.destroy()
  }
  return failed ? 1 : 0
}

main().then(
  (code) => process.exit(code),
  (error: unknown) => {
    console.error(error instanceof Error ? error.message : error)
    process.exit(1)
  },
)
