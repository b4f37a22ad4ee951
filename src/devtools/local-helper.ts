/**
 * Runs a development helper process (the mail catcher, the pharmacy simulator): `start` brings it up and
 * returns how to close it; SIGTERM or SIGINT (from `npm start` or Ctrl+C) closes it and exits, and a failure
 * to start prints its message and exits 1.
 */
export function runLocalHelper(start: () => Promise<() => Promise<void>>): void {
  start()
    .then((close) => {
      const stop = async () => {
        await close()
        process.exit(0)
      }
      process.once('SIGTERM', () => void stop())
      process.once('SIGINT', () => void stop())
    })
    .catch((error: unknown) => {
      console.error(error instanceof Error ? error.message : error)
      process.exit(1)
    })
}
