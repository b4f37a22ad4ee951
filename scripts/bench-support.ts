import { ChildProcess, spawn } from 'node:child_process'
import fs from 'node:fs'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'

/** What the benchmarks share: settings from the environment, child processes, sessions, figures. */
export const root = path.resolve(__dirname, '..')

/** A whole-number setting from the environment, checked. */
export function setting(name: string, fallback: number, max: number, min = 1): number {
  const value = Number(process.env[name] ?? fallback)
  if (!Number.isInteger(value) || value < min || value > max)
    throw new Error(`${name} must be a whole number from ${min} to ${max}`)
  return value
}

/** The port named by `name` in the environment (the shared machine gives each person a range), or a free one; fails when it is taken. */
export async function benchPort(name: string): Promise<number> {
  const wanted = process.env[name] ? setting(name, 0, 65_535, 1024) : 0
  // A port still held by an earlier run's process would answer for the process about to be started.
  const server = net.createServer().listen(wanted)
  await new Promise((resolve, reject) => {
    server.once('listening', resolve)
    server.once('error', () => reject(new Error(`${name}: port ${wanted} is in use`)))
  })
  const { port } = server.address() as net.AddressInfo
  await new Promise((resolve) => server.close(resolve))
  return port
}

/**
 * The environment of a bench's portal processes: its own database (BENCH_DATABASE_URL, else `database`), Redis
 * (BENCH_REDIS_URL) under its own key prefix, the port it listens on, and an SMTP address where nothing listens
 * (bench members have no email address; nothing is sent).
 */
export function benchEnvironment(options: {
  database: string
  redisPrefix: string
  port: number
  nodeEnv: 'production' | 'development'
  logLevel: string
}): NodeJS.ProcessEnv {
  return {
    ...process.env,
    NODE_ENV: options.nodeEnv,
    PORT: String(options.port),
    DATABASE_URL: process.env.BENCH_DATABASE_URL ?? `mysql://root@127.0.0.1:3306/${options.database}`,
    REDIS_URL: process.env.BENCH_REDIS_URL ?? process.env.REDIS_URL ?? 'redis://127.0.0.1:6379',
    REDIS_PREFIX: options.redisPrefix,
    LOG_LEVEL: process.env.LOG_LEVEL ?? options.logLevel,
    SMTP_URL: 'smtp://127.0.0.1:9',
  }
}

export function loadAverage(): string {
  return os
    .loadavg()
    .map((load) => load.toFixed(2))
    .join(' ')
}

export interface BenchProcess {
  name: string
  child: ChildProcess
  output: () => string
  logFile: string
}

/**
 * A Node process of this project (`entry` through tsx). Its output goes to a file of its own, as a
 * production process's goes to a log collector: read back by the benchmark it would take CPU from the load
 * generator in the same process (the web process logs a line a request), which the bare page does not pay.
 * The file's end is kept for error messages and the file is deleted when the process is stopped. With
 * BENCH_PROFILE_DIR set, each process writes a V8 CPU profile there when it stops (open it in Chrome's DevTools).
 */
export function startProcess(
  name: string,
  entry: string,
  env: NodeJS.ProcessEnv,
  options: { preload?: string[]; ipc?: boolean } = {},
): BenchProcess {
  const profile = process.env.BENCH_PROFILE_DIR ? ['--cpu-prof', `--cpu-prof-dir=${process.env.BENCH_PROFILE_DIR}`] : []
  const preload = (options.preload ?? []).flatMap((file) => ['--import', `./${file}`])
  const logFile = path.join(fs.mkdtempSync(path.join(os.tmpdir(), 'portal-bench-')), 'output.log')
  const log = fs.openSync(logFile, 'a')
  const child = spawn(process.execPath, [...profile, '--import', 'tsx', ...preload, entry], {
    cwd: root,
    env,
    stdio: ['ignore', log, log, ...(options.ipc ? (['ipc'] as const) : [])],
  })
  fs.closeSync(log)
  const output = () => {
    try {
      return fs.readFileSync(logFile, 'utf8').slice(-4000)
    } catch {
      return ''
    }
  }
  return { name, child, output, logFile }
}

/** Waits until `url` answers 2xx, or fails with the process's output. */
export async function waitUntilUp(url: string, started: BenchProcess): Promise<void> {
  for (let i = 0; ; i++) {
    if (i > 120) throw new Error(`${started.name} did not start:\n${started.output()}`)
    if (started.child.exitCode !== null) throw new Error(`${started.name} stopped:\n${started.output()}`)
    const up = await fetch(url).then(
      (response) => response.ok,
      () => false,
    )
    if (up) return
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
}

/** Stops the processes with SIGTERM and waits for them to exit (so CPU profiles get written). */
export async function stopProcesses(processes: BenchProcess[]): Promise<void> {
  for (const { child } of processes) if (child.exitCode === null) child.kill('SIGTERM')
  await Promise.all(
    processes.map(
      ({ child }) => new Promise((resolve) => (child.exitCode !== null ? resolve(null) : child.once('exit', resolve))),
    ),
  )
  for (const { logFile } of processes) fs.rmSync(path.dirname(logFile), { recursive: true, force: true })
}

/** CPU seconds (user + system) a process has used so far, from /proc. */
export function cpuSeconds(pid: number | undefined): number {
  if (pid === undefined) return 0
  try {
    const stat = fs.readFileSync(`/proc/${pid}/stat`, 'utf8')
    const fields = stat.slice(stat.lastIndexOf(')') + 2).split(' ')
    return (Number(fields[11]) + Number(fields[12])) / 100
  } catch {
    return 0
  }
}

export const percentile = (sorted: number[], share: number) =>
  sorted[Math.min(sorted.length - 1, Math.max(0, Math.ceil(share * sorted.length) - 1))]

/** A visitor's session: its cookie and the CSRF token of the last form it was shown, as a browser keeps them. */
export class BrowserSession {
  cookie = ''
  csrf = ''
  constructor(private readonly base: string) {}

  async request(method: string, pathname: string, form?: Record<string, string | string[]>) {
    const body = form
      ? new URLSearchParams(
          Object.entries(form).flatMap(([key, value]) =>
            (Array.isArray(value) ? value : [value]).map((item) => [key, item]),
          ),
        ).toString()
      : undefined
    const response = await fetch(`${this.base}${pathname}`, {
      method,
      redirect: 'manual',
      headers: {
        cookie: this.cookie,
        ...(body ? { 'content-type': 'application/x-www-form-urlencoded' } : {}),
      },
      body,
    })
    const setCookie = response.headers.get('set-cookie')
    if (setCookie) this.cookie = setCookie.split(';')[0]
    const text = await response.text()
    const token = /name="_csrf" value="([^"]+)"/.exec(text)?.[1]
    if (token) this.csrf = token
    return { status: response.status, location: response.headers.get('location') ?? '', text }
  }

  /** Opens the sign-on page and signs on; fails unless the portal signs the account on. */
  async signOn(userId: string, password: string): Promise<void> {
    await this.request('GET', '/sign-on')
    const signedOn = await this.request('POST', '/sign-on', { _csrf: this.csrf, userId, password })
    if (signedOn.status !== 303 || signedOn.location === '/sign-on')
      throw new Error(`Sign-on of ${userId} failed (${signedOn.status} ${signedOn.location})`)
  }
}
