import assert from 'node:assert/strict'
import { spawn } from 'node:child_process'
import path from 'node:path'

/**
 * Starts the web process as `npm start` or a deployment would (the real clock: production refuses a moved one,
 * and nothing here reads a date), and answers what it printed up to "web listening".
 */
async function linesUntilListening(env: Record<string, string>): Promise<string[]> {
  const { CLOCK_AT: _movedClock, ...inherited } = process.env
  const child = spawn(process.execPath, ['--import', 'tsx', 'src/server.ts'], {
    cwd: path.resolve(__dirname, '..', '..'),
    env: { ...inherited, PORT: '0', LOG_LEVEL: 'info', ...env },
    stdio: ['ignore', 'pipe', 'ignore'],
  })
  try {
    let printed = ''
    await new Promise<void>((resolve, reject) => {
      const timer = setTimeout(() => reject(new Error(`no "web listening" line; printed:\n${printed}`)), 20_000)
      child.stdout.on('data', (chunk: Buffer) => {
        printed += chunk.toString('utf8')
        if (printed.includes('web listening')) {
          clearTimeout(timer)
          resolve()
        }
      })
      child.once('exit', (code) => reject(new Error(`the web process exited (${code}); printed:\n${printed}`)))
    })
    return printed.split('\n').filter((line) => line.trim() !== '')
  } finally {
    child.kill('SIGKILL')
  }
}

describe('the processes’ log lines', function () {
  this.timeout(60_000)

  it('are readable in development, as npm start shows them: time, level and message on one line, no JSON', async () => {
    const lines = await linesUntilListening({ NODE_ENV: 'development' })
    const listening = lines.find((line) => line.includes('web listening'))!
    assert.match(listening, /^\[\d\d:\d\d:\d\d\.\d{3}\] INFO \(member-portal\): web listening \{"port":0\}$/)
    for (const line of lines) assert.throws(() => JSON.parse(line) as unknown, `a JSON line in development: ${line}`)
  })

  it('are JSON lines in production, for a log collector', async () => {
    const lines = await linesUntilListening({
      NODE_ENV: 'production',
      SESSION_SECRET: 's'.repeat(32),
      PHARMACY_WEBHOOK_SECRET: 'p'.repeat(32),
    })
    const records = lines.map((line) => JSON.parse(line) as { level: number; msg: string; port?: number })
    assert.ok(records.some((record) => record.msg === 'web listening' && record.level === 30 && record.port === 0))
  })
})
