import assert from 'node:assert/strict'
import { simpleParser } from 'mailparser'
import { startMailCatcher } from '../devtools/mail-catcher'
import { createMailer, emailAddressOf } from './mail'

describe('the portal’s emails', () => {
  it('say they were generated automatically, so out-of-office replies do not come back (RFC 3834)', async () => {
    const inbox = await startMailCatcher()
    const mailer = createMailer(`smtp://127.0.0.1:${inbox.port}`, 'Member Portal <no-reply@memberportal.example>')
    try {
      await mailer.send({ to: 'alex@example.com', subject: 'A new message is waiting', text: 'Sign on to read it.' })
      const [caught] = inbox.messages
      const headers = (await simpleParser(caught.raw)).headers
      assert.equal(headers.get('auto-submitted'), 'auto-generated')
      assert.equal(headers.get('x-auto-response-suppress'), 'All')
    } finally {
      mailer.close()
      await inbox.close()
    }
  })

  it('takes the bare address out of a From value', () => {
    assert.equal(emailAddressOf('Member Portal <no-reply@memberportal.example>'), 'no-reply@memberportal.example')
    assert.equal(emailAddressOf('no-reply@memberportal.example'), 'no-reply@memberportal.example')
  })
})
