#!/usr/bin/env node
// `npm run test:date -- WHEN [--time-zone ZONE]`: the whole mocha suite with every process's clock moved,
// through Debian's libfaketime. WHEN is an offset libfaketime reads (+400d, -2h) or any date GNU `date -d`
// reads ("next saturday 23:59"), in ZONE. The clock moves by a fixed offset, so the processes the suite
// spawns (workers, the letter batch, Chromium) inherit it and all share one clock that keeps running.
import { spawnSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'

const root = path.resolve(import.meta.dirname, '..')
const args = process.argv.slice(2)
const zoneAt = args.indexOf('--time-zone')
const timeZone = zoneAt >= 0 ? args.splice(zoneAt, 2)[1] : process.env.TZ
const when = args[0]

function fail(message) {
  console.error(`[test:date] ${message}`)
  process.exit(2)
}

if (!when) fail('Say when: npm run test:date -- +400d, or -- "next saturday 23:59" --time-zone America/Los_Angeles')
const library = fs
  .readdirSync('/usr/lib')
  .map((dir) => `/usr/lib/${dir}/faketime/libfaketimeMT.so.1`)
  .find((candidate) => fs.existsSync(candidate))
if (!library) fail('libfaketime is missing: apt-get install faketime (npm test installs it)')

let offset = when
if (!/^[+-]\d+(\.\d+)?[smhdy]?$/.test(when)) {
  const env = { ...process.env, ...(timeZone ? { TZ: timeZone } : {}) }
  const target = spawnSync('date', ['-d', when, '+%s'], { env, encoding: 'utf8' })
  if (target.status !== 0) fail(`date cannot read "${when}": ${target.stderr.trim()}`)
  offset = `${Number(target.stdout.trim()) - Math.floor(Date.now() / 1000)}s`
  if (!offset.startsWith('-')) offset = `+${offset}`
}

const env = {
  ...process.env,
  ...(timeZone ? { TZ: timeZone } : {}),
  LD_PRELOAD: library,
  FAKETIME: offset,
  // Only the wall clock moves; timers keep the real monotonic clock, and Chromium hangs on libfaketime's
  // monotonic fix-up.
  FAKETIME_DONT_FAKE_MONOTONIC: '1',
  FAKETIME_FORCE_MONOTONIC_FIX: '0',
}
const shown = spawnSync('date', ['+%A %Y-%m-%d %H:%M %Z'], { env, encoding: 'utf8' }).stdout.trim()
console.log(`[test:date] running the suite at ${shown} (clock moved ${offset})`)
const mocha = spawnSync(path.join(root, 'node_modules', '.bin', 'mocha'), [], { cwd: root, env, stdio: 'inherit' })
process.exit(mocha.status ?? 1)
