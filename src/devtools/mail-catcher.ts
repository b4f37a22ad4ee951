import { simpleParser } from 'mailparser'
import { SMTPServer } from 'smtp-server'

export interface CaughtEmail {
  to: string
  from: string
  subject: string
  text: string
  raw: string
  /** The Message-ID header: the same on a resend of one email. */
  messageId: string
  receivedAt: Date
}

export interface MailCatcher {
  port: number
  messages: CaughtEmail[]
  /** Resolves with the first message (already caught or still to come) that matches. */
  waitFor(match: (email: CaughtEmail) => boolean, timeoutMs?: number): Promise<CaughtEmail>
  /** Answers the next `count` messages with a temporary failure (451), as a busy mail server does. */
  refuseNext(count: number): void
  /** How many messages were refused so far. */
  refused: number
  close(): Promise<void>
}

/**
 * A real SMTP server on loopback that keeps what it receives: the development mail catcher and the tests'
 * inbox. It accepts any sender and recipient and no authentication, so it must never listen beyond loopback.
 */
export async function startMailCatcher(
  options: { port?: number; onMessage?: (email: CaughtEmail) => void } = {},
): Promise<MailCatcher> {
  const messages: CaughtEmail[] = []
  let toRefuse = 0
  let refused = 0
  const waiters: { match: (email: CaughtEmail) => boolean; resolve: (email: CaughtEmail) => void }[] = []

  const server = new SMTPServer({
    authOptional: true,
    disabledCommands: ['STARTTLS', 'AUTH'],
    logger: false,
    size: 5 * 1024 * 1024,
    onData(stream, _session, callback) {
      const chunks: Buffer[] = []
      stream.on('data', (chunk: Buffer) => chunks.push(chunk))
      stream.on('end', async () => {
        if (toRefuse > 0) {
          toRefuse--
          refused++
          return callback(Object.assign(new Error('Try again later'), { responseCode: 451 }))
        }
        const raw = Buffer.concat(chunks).toString('utf8')
        try {
          const parsed = await simpleParser(raw)
          const email: CaughtEmail = {
            to: addressText(parsed.to),
            from: addressText(parsed.from),
            subject: parsed.subject ?? '',
            text: parsed.text ?? '',
            raw,
            messageId: parsed.messageId ?? '',
            receivedAt: new Date(),
          }
          messages.push(email)
          options.onMessage?.(email)
          for (const waiter of [...waiters]) {
            if (waiter.match(email)) {
              waiters.splice(waiters.indexOf(waiter), 1)
              waiter.resolve(email)
            }
          }
          callback()
        } catch (error) {
          callback(error as Error)
        }
      })
    },
  })

  await new Promise<void>((resolve, reject) => {
    server.once('error', reject)
    server.listen(options.port ?? 0, '127.0.0.1', () => resolve())
  })
  const address = server.server.address()
  const port = typeof address === 'object' && address ? address.port : 0

  return {
    port,
    messages,
    waitFor(match, timeoutMs = 10_000) {
      const already = messages.find(match)
      if (already) return Promise.resolve(already)
      return new Promise((resolve, reject) => {
        const waiter = {
          match,
          resolve: (email: CaughtEmail) => {
            clearTimeout(timer)
            resolve(email)
          },
        }
        const timer = setTimeout(() => {
          waiters.splice(waiters.indexOf(waiter), 1)
          reject(new Error('No matching email arrived in time'))
        }, timeoutMs)
        waiters.push(waiter)
      })
    },
    refuseNext(count) {
      toRefuse = count
    },
    get refused() {
      return refused
    },
    close: () => new Promise((resolve) => server.close(() => resolve())),
  }
}

function addressText(value: unknown): string {
  if (!value) return ''
  const list = Array.isArray(value) ? value : [value]
  return list.map((entry: { text?: string }) => entry.text ?? '').join(', ')
}
