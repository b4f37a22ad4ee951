import assert from 'node:assert/strict'
import { performance } from 'node:perf_hooks'
import type { Viewing } from '../../src/viewing/middleware'
import { fixedClock } from '../../src/platform/clock'
import type { CaughtEmail } from '../../src/devtools/mail-catcher'
import { useBackground } from '../helpers/background'
import { OutboxRelay, outboxJobId } from '../../src/platform/outbox'
import { waitUntil } from '../helpers/pharmacy'
import { memberIdOf, userIdOf } from '../helpers/records'

const sleep = (ms: number) => new Promise((resolve) => setTimeout(resolve, ms))

describe('the office-message notification worker', () => {
  const clock = fixedClock(new Date('2026-11-25T18:00:00Z'))
  let alex: Viewing
  let nurse: { userId: number }
  let threadId: number
  const context = useBackground({
    clock,
    startAt: new Date('2026-11-25T18:00:00Z'),
    prepare: async () => {
      const db = context.background.services.db
      alex = { actorUserId: await userIdOf(db, 'alex.rivera'), memberId: await memberIdOf(db, '11000003') }
      nurse = { userId: await userIdOf(db, 'office.nurse') }
      const departments = await context.background.services.messages.departments(alex)
      const sent = await context.background.services.messages.send(alex, {
        department: String(departments[0].id),
        topic: 'medication-question',
        subject: 'Metformin dizziness',
        body: 'Should I take metformin with breakfast? I feel dizzy by lunchtime.',
        notUrgent: 'yes',
      })
      assert.ok(sent.ok)
      threadId = sent.threadId
    },
  })
  // The throttle's window in real time (OFFICE_REPLY_EMAIL_WINDOW_SECONDS, 5 s in tests, 15 minutes in production).
  const windowMs = () => context.background.services.config.messages.noticeWindowMs
  const mail = () => context.background.mail
  const toAlex = (email: CaughtEmail) => email.to.includes('alex.rivera@example.com')
  const emailsToAlex = () => mail().messages.filter(toAlex)
  const reply = async (body = 'Take metformin with dinner instead; tell us if the dizziness continues.') => {
    const outcome = await context.background.services.messages.officeReply(nurse, String(threadId), { body })
    assert.ok(outcome.ok)
  }
  /** The job of the notice (or follow-up) recorded for a reply, found through its outbox row. */
  const noticeJob = async (kind: 'notice' | 'follow-up', messageId: number) => {
    const { db, queues } = context.background.services
    const notice = await db('office_reply_notices').where({ kind, message_id: messageId }).first('id')
    if (!notice) return undefined
    const row = await db('outbox')
      .where({ job_name: kind === 'notice' ? 'reply-notice' : 'reply-follow-up' })
      .whereRaw("JSON_EXTRACT(payload, '$.noticeId') = ?", [notice.id])
      .first('id', 'token')
    return row ? queues.get('office-message-notifications').getJob(outboxJobId(row.id, row.token)) : undefined
  }
  /** What the relay does at each recheck, now rather than a minute on: put back the jobs Redis lost. */
  const recheckOutbox = () => {
    const { db, queues, clock, logger } = context.background.services
    return new OutboxRelay(db, queues, clock, logger).checkUnfinished(0)
  }
  const lastOfficeMessageId = async () =>
    Number((await context.background.services.db('messages').where({ author: 'office' }).max({ id: 'id' }).first())?.id)

  it('emails the member within a minute that a message is waiting, with none of the thread’s words', async () => {
    const started = performance.now()
    await reply()
    const email = await mail().waitFor(toAlex, 60_000)
    assert.ok(performance.now() - started < 60_000)
    const { services } = context.background
    const thread = await services.messages.openThread(alex, String(threadId), { markRead: false })
    const threadWords = [
      thread.subject,
      thread.topic,
      'Medication question',
      thread.departmentName,
      thread.clinicName,
      ...thread.messages.map((message) => message.body),
    ].join(' ')
    const words = (text: string) => new Set(text.toLowerCase().match(/[a-z0-9]{4,}/g) ?? [])
    const emailWords = words(`${email.subject} ${email.text}`)
    const shared = [...words(threadWords)].filter((word) => emailWords.has(word))
    assert.deepEqual(shared, [], `the email repeats ${shared.join(', ')}`)
    assert.equal(email.subject, 'You have a new message in Member Portal')
    assert.match(email.text, /sign on at http:\/\/\S+\/sign-on/)
  })

  it('sends at most one more email for three more replies in the window, at the window’s end', async () => {
    const started = performance.now()
    await reply('First answer.')
    await mail().waitFor(toAlex, 60_000)
    await reply('Second answer.')
    await reply('Third answer.')
    await reply('Fourth answer.')
    await waitUntil('a second email', () => emailsToAlex().length >= 2, windowMs() + 10_000)
    const secondAt = performance.now()
    assert.ok(secondAt - started >= windowMs(), `the second email came ${secondAt - started} ms after the first reply`)
    // Another window passes with nothing new: still two.
    await sleep(windowMs() + 1_000)
    assert.equal(emailsToAlex().length, 2)
  })

  it('sends no second email when the member has read the replies by the window’s end', async () => {
    await reply('First answer.')
    await mail().waitFor(toAlex, 60_000)
    const first = await lastOfficeMessageId()
    await reply('Second answer.')
    await reply('Third answer.')
    await reply('Fourth answer.')
    // The member reads them at once, well inside the window.
    await context.background.services.messages.openThread(alex, String(threadId))
    await waitUntil(
      'the follow-up to run',
      async () => (await noticeJob('follow-up', first))?.returnvalue === 'read already',
      windowMs() + 10_000,
    )
    await sleep(500)
    assert.equal(emailsToAlex().length, 1)
  })

  it('ends in exactly one email when the SMTP server refuses at first', async () => {
    mail().refuseNext(2)
    await reply()
    await mail().waitFor(toAlex, 60_000)
    await sleep(1_000)
    assert.equal(mail().refused, 2)
    assert.equal(emailsToAlex().length, 1)
    const job = await noticeJob('notice', await lastOfficeMessageId())
    assert.equal(job?.attemptsMade, 3)
  })

  it('sends nothing to a member who turned these emails off', async () => {
    await context.background.services.settings.setOfficeReplyEmails(alex.actorUserId, false)
    await reply()
    const id = await lastOfficeMessageId()
    await waitUntil(
      'the notice job to finish',
      async () => (await noticeJob('notice', id))?.returnvalue === 'no one to tell',
    )
    assert.equal(emailsToAlex().length, 0)
  })

  it('still sends the window’s follow-up after the worker restarts', async () => {
    const started = performance.now()
    await reply('First answer.')
    await mail().waitFor(toAlex, 60_000)
    const first = await lastOfficeMessageId()
    await reply('Second answer.')
    await waitUntil('the follow-up to be planned', async () => Boolean(await noticeJob('follow-up', first)))
    // The workers stop for a second with the follow-up waiting in Redis, then new ones start.
    await context.background.restartWorkers(async () => {
      await sleep(1_000)
    })
    await waitUntil('the follow-up email', () => emailsToAlex().length >= 2, windowMs() + 10_000)
    assert.ok(performance.now() - started >= windowMs())
    await sleep(500)
    assert.equal(emailsToAlex().length, 2)
  })

  describe('when Redis loses its data (flushed)', () => {
    it('still sends the window’s follow-up that was waiting in Redis', async () => {
      await reply('First answer.')
      await mail().waitFor(toAlex, 60_000)
      const first = await lastOfficeMessageId()
      await reply('Second answer.')
      await waitUntil('the follow-up to be planned', async () => Boolean(await noticeJob('follow-up', first)))
      await context.background.services.redis.flushdb()
      assert.equal(await noticeJob('follow-up', first), undefined, 'the delayed follow-up is gone')
      await recheckOutbox()
      await waitUntil('the follow-up email', () => emailsToAlex().length >= 2, 2 * windowMs() + 10_000)
      // The lost window may make it come early, but the follow-up put back adds no third email.
      await sleep(windowMs() + 1_000)
      assert.equal(emailsToAlex().length, 2)
    })

    it('still sends a notice that was waiting to retry after the mail server refused it', async () => {
      const refusedBefore = mail().refused
      mail().refuseNext(1_000)
      await reply()
      const id = await lastOfficeMessageId()
      await waitUntil('the mail server to refuse the notice', () => mail().refused > refusedBefore, 10_000)
      await context.background.services.redis.flushdb()
      assert.equal(await noticeJob('notice', id), undefined, 'the notice in backoff is gone')
      mail().refuseNext(0)
      await recheckOutbox()
      await mail().waitFor(toAlex, 30_000)
      await sleep(500)
      assert.equal(emailsToAlex().length, 1)
    })
  })
})
