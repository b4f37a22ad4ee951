#!/usr/bin/env node
// The set-up step `npm start` and `npm test` run first. It uses nothing but Node itself, because it is what
// installs the node modules: then it makes sure MariaDB, Redis and Chromium are there and running, and that
// the database exists. Run as root it installs missing Debian packages; otherwise it says what to install.
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import net from 'node:net'
import path from 'node:path'
import { createRequire } from 'node:module'

const root = path.resolve(import.meta.dirname, '..')
const require = createRequire(import.meta.url)
const forTests = process.argv.includes('--test')
const isRoot = process.getuid?.() === 0
let aptUpdated = false

function say(message) {
  console.log(`[setup] ${message}`)
}

function fail(message) {
  console.error(`[setup] ${message}`)
  process.exit(1)
}

function run(command, args, options = {}) {
  const result = spawnSync(command, args, { stdio: 'inherit', cwd: root, ...options })
  if (result.status !== 0) fail(`${command} ${args.join(' ')} failed (exit ${result.status ?? result.signal})`)
}

function aptInstall(packages, why) {
  if (!isRoot) fail(`${why} is missing. Install it with: sudo apt-get install -y ${packages.join(' ')}`)
  say(`installing ${packages.join(' ')} from Debian (${why})`)
  const env = { ...process.env, DEBIAN_FRONTEND: 'noninteractive' }
  if (!aptUpdated) run('apt-get', ['update', '-qq'], { env })
  aptUpdated = true
  run('apt-get', ['install', '-y', '-qq', '--no-install-recommends', ...packages], { env })
}

function portOpen(host, port, timeoutMs = 500) {
  return new Promise((resolve) => {
    const socket = net.connect({ host, port })
    const done = (open) => {
      socket.destroy()
      resolve(open)
    }
    socket.setTimeout(timeoutMs, () => done(false))
    socket.once('connect', () => done(true))
    socket.once('error', () => done(false))
  })
}

async function waitForPort(host, port, name, seconds = 30) {
  for (let i = 0; i < seconds * 4; i++) {
    if (await portOpen(host, port)) return
    await new Promise((resolve) => setTimeout(resolve, 250))
  }
  fail(`${name} did not start listening on ${host}:${port} within ${seconds} s`)
}

const isLocal = (host) => ['127.0.0.1', 'localhost', '::1', '[::1]'].includes(host)

function ensureNodeModules() {
  const installed = path.join(root, 'node_modules', '.package-lock.json')
  const lock = path.join(root, 'package-lock.json')
  if (fs.existsSync(installed) && fs.statSync(installed).mtimeMs >= fs.statSync(lock).mtimeMs) return
  say('installing node modules (npm ci)')
  run('npm', ['ci', '--no-audit', '--no-fund'])
}

async function ensureMariaDb(url) {
  const host = url.hostname
  const port = Number(url.port || 3306)
  if (await portOpen(host, port)) return
  if (!isLocal(host)) fail(`MariaDB/MySQL at ${host}:${port} does not answer; check DATABASE_URL`)
  let fresh = false
  if (!fs.existsSync('/usr/sbin/mariadbd')) {
    aptInstall(['mariadb-server'], 'MariaDB')
    fresh = true
  }
  if (!isRoot)
    fail(
      'MariaDB is not running. Start it with: sudo start-stop-daemon --start --oknodo --background --exec /usr/sbin/mariadbd',
    )
  say('starting MariaDB')
  fs.mkdirSync('/run/mysqld', { recursive: true })
  spawnSync('chown', ['mysql:mysql', '/run/mysqld'])
  run('start-stop-daemon', ['--start', '--oknodo', '--background', '--exec', '/usr/sbin/mariadbd'])
  await waitForPort(host, port, 'MariaDB')
  if (fresh) {
    // Debian's root account signs on only through the socket; the portal connects over TCP with no password.
    run('mariadb', [
      '-uroot',
      '-e',
      "ALTER USER root@localhost IDENTIFIED VIA unix_socket OR mysql_native_password USING PASSWORD('')",
    ])
  }
}

async function ensureRedis(url) {
  const host = url.hostname
  const port = Number(url.port || 6379)
  if (await portOpen(host, port)) return
  if (!isLocal(host)) fail(`Redis at ${host}:${port} does not answer; check REDIS_URL`)
  if (!fs.existsSync('/usr/bin/redis-server')) aptInstall(['redis-server'], 'Redis')
  say('starting Redis')
  run('redis-server', [
    '--daemonize',
    'yes',
    '--bind',
    '127.0.0.1',
    '--port',
    String(port),
    '--save',
    '',
    '--appendonly',
    'no',
  ])
  await waitForPort(host, port, 'Redis')
}

function javaFound() {
  if (process.env.JAVA_PATH) return fs.existsSync(process.env.JAVA_PATH)
  return spawnSync('java', ['-version'], { stdio: 'ignore' }).status === 0
}

function ensureChromium() {
  const chromium = process.env.CHROMIUM_PATH || '/usr/bin/chromium'
  const missing = []
  if (!fs.existsSync(chromium)) missing.push('chromium')
  // Stable letter fonts, and pdftotext for the tests that read letters back.
  if (!fs.existsSync('/usr/share/fonts/truetype/liberation')) missing.push('fonts-liberation')
  if (!fs.existsSync('/usr/bin/pdftotext')) missing.push('poppler-utils')
  // libfaketime runs the suite on another date (npm run test:date).
  if (forTests && !fs.existsSync('/usr/bin/faketime')) missing.push('faketime')
  // Java runs the W3C HTML checker (vnu-jar) over the pages the browser tests visit.
  if (forTests && !javaFound()) missing.push('default-jre-headless')
  if (missing.length > 0) aptInstall(missing, 'Chromium (for browser tests and letter PDFs) and test tools')
}

async function ensureDatabase(databaseUrl) {
  const mysql = require('mysql2/promise')
  const url = new URL(databaseUrl)
  const name = url.pathname.replace(/^\//, '')
  if (!/^[A-Za-z0-9_]+$/.test(name)) fail(`DATABASE_URL must name a database of letters, digits and _ (got "${name}")`)
  url.pathname = '/'
  const connection = await mysql.createConnection({ uri: url.toString() })
  try {
    await connection.query(`CREATE DATABASE IF NOT EXISTS \`${name}\` CHARACTER SET utf8mb4 COLLATE utf8mb4_unicode_ci`)
  } finally {
    await connection.end()
  }
}

async function main() {
  ensureNodeModules()
  const env = forTests ? require(path.join(root, 'test', 'env.cjs')).testEnv : process.env
  const databaseUrl = env.DATABASE_URL || 'mysql://root@127.0.0.1:3306/member_portal'
  const redisUrl = env.REDIS_URL || 'redis://127.0.0.1:6379'
  await ensureMariaDb(new URL(databaseUrl))
  await ensureRedis(new URL(redisUrl))
  ensureChromium()
  await ensureDatabase(databaseUrl)
  say(`ready: database ${new URL(databaseUrl).pathname.slice(1)}, Redis ${new URL(redisUrl).host}`)
}

main().catch((error) => fail(error instanceof Error ? error.message : String(error)))
