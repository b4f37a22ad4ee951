import { loadConfig } from '../src/config'
import { closeInfrastructure, createInfrastructure, createServices } from '../src/services'

/** `npm run letters`: runs a letter batch now, through the same service the nightly job calls. */
async function main(): Promise<void> {
  const services = createServices(createInfrastructure(loadConfig()))
  try {
    const result = await services.letterBatches.runBatch()
    if (!result) console.log('No registrations are waiting for a letter: no batch was made.')
    else console.log(`Batch ${result.batchId}: ${result.pieces} letters, ${result.pages} pages in ${result.directory}`)
  } finally {
    await closeInfrastructure(services)
  }
}

main().catch((error: unknown) => {
  console.error(error instanceof Error ? error.message : error)
  process.exit(1)
})
