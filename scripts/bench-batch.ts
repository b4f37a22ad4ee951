import { loadConfig } from '../src/config'
import { closeInfrastructure, createInfrastructure, createServices } from '../src/services'

/**
 * One letter batch for `npm run bench`, in a process of its own so that its peak memory is the batch's alone.
 * It is built from config like the worker, runs the batch the nightly job runs, and prints one JSON line.
 */
async function main(): Promise<void> {
  const services = createServices(createInfrastructure(loadConfig()))
  try {
    const started = process.hrtime.bigint()
    const result = await services.letterBatches.runBatch()
    const seconds = Number(process.hrtime.bigint() - started) / 1e9
    if (!result) throw new Error('No letters were waiting: no batch was made')
    console.log(
      JSON.stringify({
        batchId: result.batchId,
        directory: result.directory,
        pieces: result.pieces,
        pages: result.pages,
        seconds,
        chunkSize: services.config.letters.chunkSize,
        // maxRSS is in kilobytes: the most memory this process ever held, batch and all.
        peakRssMb: process.resourceUsage().maxRSS / 1024,
        heapUsedMb: process.memoryUsage().heapUsed / 1024 / 1024,
      }),
    )
  } finally {
    await closeInfrastructure(services)
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? (error.stack ?? error.message) : error)
  process.exit(1)
})
