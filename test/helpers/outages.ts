import { ChildProcess, spawn } from 'node:child_process'
import { once } from 'node:events'
import { createReadStream } from 'node:fs'
import { mkdtemp, rm } from 'node:fs/promises'
import net from 'node:net'
import os from 'node:os'
import path from 'node:path'
import { Redis } from 'ioredis'

/** A free loopback port: bound, read, released. */
export async function freePort(): Promise<number> {
  const server = net.createServer()
  server.listen(0, '127.0.0.1')
  await once(server, 'listening')
  const { port } = server.address() as net.AddressInfo
  await new Promise((resolve) => server.close(resolve))
  return port
}

async function waitFor(what: string, check: () => Promise<boolean>, timeoutMs = 10_000): Promise<void> {
  const deadline = performance.now() + timeoutMs
  while (performance.now() < deadline) {
    if (await check().catch(() => false)) return
    await new Promise((resolve) => setTimeout(resolve, 50))
  }
  throw new Error(`Timed out waiting for ${what}`)
}

/**
 * Redis is a service beside the portal, like the shared one, not one of its processes: it keeps the real clock
 * when the suite runs under libfaketime (`npm run test:date`), which redis-server cannot start under.
 */
function withoutFakeTime(env: NodeJS.ProcessEnv): NodeJS.ProcessEnv {
  return Object.fromEntries(
    Object.entries(env).filter(([name]) => name !== 'LD_PRELOAD' && !name.startsWith('FAKETIME')),
  )
}

export interface PrivateRedis {
  url: string
  /** Stops the server; nothing is saved, so it comes back empty. */
  stop(): Promise<void>
  /** Starts it again on the same port, empty (no persistence). */
  start(): Promise<void>
  /** Empties it while it runs, as a failover to a replica that was behind would. */
  flush(): Promise<void>
}

/**
 * A redis-server of the test's own, on a free port, with no persistence: tests that stop, restart or flush
 * Redis do it here, never to the Redis other people's tests share. Stop it with `stop()` in an `after`.
 */
export async function startPrivateRedis(): Promise<PrivateRedis> {
  const port = await freePort()
  const url = `redis://127.0.0.1:${port}`
  let child: ChildProcess | undefined
  const ping = async () => {
    const client = new Redis(url, { lazyConnect: true, maxRetriesPerRequest: 0, retryStrategy: () => null })
    client.on('error', () => undefined)
    try {
      await client.connect()
      return (await client.ping()) === 'PONG'
    } finally {
      client.disconnect()
    }
  }
  const redis: PrivateRedis = {
    url,
    async start() {
      child = spawn(
        'redis-server',
        ['--port', String(port), '--bind', '127.0.0.1', '--save', '', '--appendonly', 'no'],
        { cwd: os.tmpdir(), stdio: 'ignore', env: withoutFakeTime(process.env) },
      )
      await waitFor('the private redis-server to answer', ping)
    },
    async stop() {
      if (!child || child.exitCode !== null || child.signalCode !== null) return
      const exited = once(child, 'exit')
      child.kill('SIGKILL')
      await exited
      child = undefined
    },
    async flush() {
      const client = new Redis(url)
      try {
        await client.flushall()
      } finally {
        client.disconnect()
      }
    },
  }
  await redis.start()
  return redis
}

export interface CuttableProxy {
  url: string
  /** Refuses new connections and drops every open one, as a database that went away. */
  cut(): Promise<void>
  restore(): Promise<void>
  /**
   * Keeps every connection open and accepts new ones, but passes nothing either way: a database that froze
   * (a stopped process, a lost network path without a reset). `thaw()` delivers what was held.
   */
  freeze(): void
  thaw(): void
  close(): Promise<void>
}

/** A TCP proxy in front of the shared MariaDB that a test can cut, freeze and restore, for "MySQL is unreachable". */
export async function startCuttableProxy(target: {
  host: string
  port: number
}): Promise<CuttableProxy & { port: number }> {
  const port = await freePort()
  const sockets = new Set<net.Socket>()
  let server: net.Server | undefined
  let frozen = false
  const held: { from: net.Socket; to: net.Socket; data: Buffer }[] = []
  const forward = (from: net.Socket, to: net.Socket) => {
    from.on('data', (data: Buffer) => {
      if (frozen) held.push({ from, to, data })
      else to.write(data)
    })
    from.on('close', () => to.destroy())
  }
  const listen = async () => {
    server = net.createServer((client) => {
      const upstream = net.connect(target.port, target.host)
      for (const socket of [client, upstream]) {
        sockets.add(socket)
        socket.on('close', () => sockets.delete(socket))
        socket.on('error', () => undefined)
      }
      forward(client, upstream)
      forward(upstream, client)
    })
    server.listen(port, '127.0.0.1')
    await once(server, 'listening')
  }
  const cut = async () => {
    const closed = server ? new Promise((resolve) => server!.close(resolve)) : Promise.resolve()
    for (const socket of sockets) socket.destroy()
    await closed
    server = undefined
  }
  const freeze = () => {
    frozen = true
  }
  const thaw = () => {
    frozen = false
    // What a client that has gone since (a killed process) sent never arrives, as with a real lost connection.
    for (const { from, to, data } of held.splice(0)) if (!from.destroyed && !to.destroyed) to.write(data)
  }
  await listen()
  return { url: `127.0.0.1:${port}`, port, cut, restore: listen, freeze, thaw, close: cut }
}

export interface DatabaseBackup {
  /** Puts the database back as it was when the backup was taken, as an operator restoring from backup would. */
  restore(): Promise<void>
  remove(): Promise<void>
}

function clientArguments(databaseUrl: string): string[] {
  const url = new URL(databaseUrl)
  return [
    `--host=${url.hostname}`,
    `--port=${url.port || '3306'}`,
    `--user=${decodeURIComponent(url.username)}`,
    ...(url.password ? [`--password=${decodeURIComponent(url.password)}`] : []),
  ]
}

async function run(command: string, args: string[], stdin?: string): Promise<void> {
  const child = spawn(command, args, { stdio: [stdin ? 'pipe' : 'ignore', 'ignore', 'pipe'] })
  let errors = ''
  child.stderr?.on('data', (data: Buffer) => (errors += data.toString()))
  if (stdin) createReadStream(stdin).pipe(child.stdin!)
  const [code] = (await once(child, 'exit')) as [number | null]
  if (code !== 0) throw new Error(`${command} exited with ${code}: ${errors}`)
}

/** A backup of the test run's database with mysqldump (a consistent snapshot), restored with the mysql client. */
export async function backUpDatabase(databaseUrl: string): Promise<DatabaseBackup> {
  const name = new URL(databaseUrl).pathname.slice(1)
  const file = path.join(await mkdtemp(path.join(os.tmpdir(), 'portal-backup-')), `${name}.sql`)
  await run('mysqldump', [...clientArguments(databaseUrl), '--single-transaction', `--result-file=${file}`, name])
  return {
    restore: () => run('mysql', [...clientArguments(databaseUrl), name], file),
    remove: () => rm(path.dirname(file), { recursive: true, force: true }),
  }
}
