import { monitorEventLoopDelay } from 'node:perf_hooks'

/**
 * Loaded into the web process by `npm run bench:pages` (`--import`), never in production: samples the event
 * loop's delay and answers the bench over IPC with the figures since the last reset, in milliseconds. A sample is
 * the time between two ticks of a 10 ms timer, so the timer's own 10 ms is taken off: what is left is how late
 * the loop was.
 */
const resolutionMs = 10
const histogram = monitorEventLoopDelay({ resolution: resolutionMs })
const late = (nanoseconds: number) => Math.max(0, nanoseconds / 1e6 - resolutionMs)
histogram.enable()
process.on('message', (message) => {
  if (message === 'event-loop-reset') histogram.reset()
  if (message === 'event-loop-read')
    process.send?.({
      eventLoop: {
        mean: late(histogram.mean),
        p50: late(histogram.percentile(50)),
        p99: late(histogram.percentile(99)),
        max: late(histogram.max),
      },
    })
})
// The IPC channel must not keep a stopping process alive.
process.channel?.unref()
