import fs from 'node:fs'
import http from 'node:http'
import path from 'node:path'
import { loadConfig } from '../src/config'
import { runLocalHelper } from '../src/devtools/local-helper'
import { startMailCatcher } from '../src/devtools/mail-catcher'

const folder = path.resolve(__dirname, '..', 'var', 'mail')

const escape = (text: string) => text.replace(/[&<>"']/g, (character) => `&#${character.charCodeAt(0)};`)

/**
 * The development mail catcher: an SMTP server on loopback (SMTP_URL points at it) that writes each message
 * to var/mail/ and lists them, newest first, on a small web page.
 */
async function main(): Promise<() => Promise<void>> {
  const config = loadConfig()
  fs.mkdirSync(folder, { recursive: true })
  let count = 0
  const catcher = await startMailCatcher({
    port: config.mailCatcher.smtpPort,
    onMessage(email) {
      count += 1
      const name = `${email.receivedAt.toISOString().replace(/[:.]/g, '-')}-${count}.eml`
      fs.writeFileSync(path.join(folder, name), email.raw)
    },
  })
  const web = http.createServer((_req, res) => {
    const items = [...catcher.messages]
      .reverse()
      .map(
        (email) =>
          `<article><h2>${escape(email.subject)}</h2><p>To ${escape(email.to)}, ${email.receivedAt.toISOString()}</p><pre>${escape(email.text)}</pre></article>`,
      )
      .join('\n')
    res.setHeader('Content-Type', 'text/html; charset=utf-8')
    res.end(
      `<!DOCTYPE html><html lang="en"><head><meta charset="utf-8"><title>Mail catcher</title></head><body><main><h1>Mail caught since start (${catcher.messages.length})</h1>${items || '<p>No mail yet.</p>'}<p>Every message is also saved in ${escape(folder)}.</p></main></body></html>`,
    )
  })
  web.listen(config.mailCatcher.webPort, '127.0.0.1')
  console.log(
    `Mail catcher: SMTP on 127.0.0.1:${catcher.port}, read mail at http://localhost:${config.mailCatcher.webPort} or in var/mail/`,
  )
  return async () => {
    web.close()
    await catcher.close()
  }
}

runLocalHelper(main)
