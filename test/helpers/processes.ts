import { ChildProcess, spawn, StdioOptions } from 'node:child_process'
import path from 'node:path'
import { Clock, clockEnvironment } from '../../src/platform/clock'

const root = path.resolve(__dirname, '..', '..')

/**
 * Starts one of the project's entries (`jobs/worker.ts`, `scripts/letters.ts`) as its own process, the way the
 * Procfile or a command line would, with the test run's environment and on the test's clock: the child reads
 * `CLOCK_AT`, so a lease, heartbeat or expiry it writes means the same to the test on any real date.
 */
export function spawnEntry(
  entry: string,
  clock: Clock,
  options: { env?: Record<string, string>; stdio?: StdioOptions } = {},
): ChildProcess {
  return spawn(process.execPath, ['--import', 'tsx', entry], {
    cwd: root,
    env: { ...process.env, ...clockEnvironment(clock), ...options.env },
    stdio: options.stdio ?? 'ignore',
  })
}
