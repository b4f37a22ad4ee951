import { tracingChannel } from 'node:diagnostics_channel'
import { monitorEventLoopDelay } from 'node:perf_hooks'

/**
 * Loaded into the web process by `npm run bench:pages` (`--import`), never in production. It answers the
 * bench over IPC with:
 * - the event loop's delay in milliseconds since the last reset. A sample is the time between two ticks of a 10 ms timer, so the
 *   timer's own 10 ms is taken off: what is left is how late the loop was;
 * - how many SQL statements have gone to MariaDB and how many commands to Redis so far (the drivers' tracing
 *   channels): the bench takes the difference between two reads, the round trips of a page, which no other
 *   load on the machine can change.
 */
const resolutionMs = 10
const histogram = monitorEventLoopDelay({ resolution: resolutionMs })
const late = (nanoseconds: number) => Math.max(0, nanoseconds / 1e6 - resolutionMs)
histogram.enable()

const sent = { queries: 0, redisCommands: 0 }
// Held for the life of the process: a channel nobody references can be collected with its subscribers.
const queryChannel = tracingChannel('mysql2:query')
const commandChannel = tracingChannel('ioredis:command')
queryChannel.subscribe({
  start: () => void (sent.queries += 1),
  end: () => undefined,
  asyncStart: () => undefined,
  asyncEnd: () => undefined,
  error: () => undefined,
})
commandChannel.subscribe({
  start: () => void (sent.redisCommands += 1),
  end: () => undefined,
  asyncStart: () => undefined,
  asyncEnd: () => undefined,
  error: () => undefined,
})

process.on('message', (message) => {
  if (message === 'probe-reset') histogram.reset()
  if (message === 'probe-read')
    process.send?.({
      eventLoop: {
        mean: late(histogram.mean),
        p50: late(histogram.percentile(50)),
        p99: late(histogram.percentile(99)),
        max: late(histogram.max),
      },
      ...sent,
    })
})
// The IPC channel must not keep a stopping process alive.
process.channel?.unref()
export const probeChannels = [queryChannel, commandChannel]
