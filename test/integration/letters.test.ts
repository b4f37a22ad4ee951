import assert from 'node:assert/strict'
import { execFileSync } from 'node:child_process'
import fs from 'node:fs'
import path from 'node:path'
import supertest from 'supertest'
import { fixedClock } from '../../src/platform/clock'
import {
  closeServices,
  countRows,
  demoPassword,
  errorSummary,
  pageText,
  signOn,
  submitForm,
  testServices,
  titleOf,
} from '../helpers/app'
import { useBackground } from '../helpers/background'
import { createPendingLetters, lettersIn, pdfPageCount, pdfText } from '../helpers/letters'
import { spawnEntry } from '../helpers/processes'
import { james, mariaCredentials } from '../helpers/registration'
import { pdfDocumentFacts } from '../helpers/pdf'

describe('registration by mail and the letter batch', () => {
  const clock = fixedClock(new Date('2026-11-25T20:00:00Z'))
  let lettersDir: string
  const context = useBackground({
    clock,
    startAt: new Date('2026-11-25T20:00:00Z'),
    prepare: async () => {
      fs.rmSync(lettersDir, { recursive: true, force: true })
    },
  })
  before(() => {
    lettersDir = context.background.services.config.letters.directory
  })

  const db = () => context.background.services.db

  async function jamesRequestsByMail(extra: Record<string, string> = {}) {
    const agent = supertest.agent(context.app)
    await submitForm(agent, '/register', james)
    await submitForm(agent, '/register/terms', { accept: 'yes' })
    await submitForm(agent, '/register/user-id', { userId: 'james.chen', email: 'james.chen@example.com' })
    const page = await agent.get('/register/by-mail').expect(200)
    assert.match(pageText(page.text), /88 A•+ S•+/)
    // Read aloud as words, not as a string of bullets.
    assert.equal(pageText(page.text, '.inset [aria-hidden="true"]'), '88 A•••• S•••••Fremont, CA 945••')
    assert.equal(
      pageText(page.text, '.inset .visually-hidden'),
      '88, A then 4 hidden letters, S then 5 hidden letters; Fremont, CA, ZIP code starting 945',
    )
    assert.doesNotMatch(page.text, /88 Alder Street/)
    const requested = await submitForm(agent, '/register/by-mail', { addressCurrent: 'yes', ...extra })
    assert.equal(requested.headers.location, '/register/by-mail/requested')
    const confirmation = await agent.get('/register/by-mail/requested')
    assert.match(pageText(confirmation.text), /3 to 7 days/)
    return agent
  }

  it('mails James a temporary password that signs him on once, and only to set his own password first', async () => {
    await jamesRequestsByMail({ address_line1: '1 Attacker Road', city: 'Elsewhere', zip: '00000' })
    const batch = await context.background.services.letterBatches.runBatch()
    assert.ok(batch)
    assert.equal(batch.batchId, '20261125-01')
    assert.deepEqual(fs.readdirSync(batch.directory).sort(), [
      'checksums.sha256',
      'letters.pdf',
      'manifest.csv',
      'taglines.pdf',
    ])

    const text = pdfText(path.join(batch.directory, 'letters.pdf'))
    assert.match(text, /JAMES CHEN\s+88 ALDER ST APT 4\s+FREMONT CA 94538/)
    // One chunk: Chromium's tagged PDF, finished with its title, language and PDF/UA identification.
    const facts = await pdfDocumentFacts(path.join(batch.directory, 'letters.pdf'))
    assert.deepEqual(
      [facts.title, facts.tagged, facts.language, facts.displaysTitle],
      ['Temporary password letters 20261125-01', true, 'en-US', true],
    )
    assert.match(facts.xmp, /<pdfuaid:part>1<\/pdfuaid:part>/)
    assert.doesNotMatch(text, /Attacker|Elsewhere/)
    assert.match(text, /December 16, 2026/, 'expires 21 days after the batch date')
    const [letter] = lettersIn(batch.directory)
    assert.equal(letter.userId, 'james.chen')
    assert.match(letter.password, /^[A-HJKMNP-Za-hjkmnp-z2-9]{12}$/)
    const manifest = fs.readFileSync(path.join(batch.directory, 'manifest.csv'), 'utf8')
    assert.doesNotMatch(manifest, new RegExp(letter.password))

    const agent = supertest.agent(context.app)
    const signedOn = await signOn(
      agent,
      'james.chen',
      `${letter.password.slice(0, 4)} ${letter.password.slice(4, 8)} ${letter.password.slice(8)}`,
    )
    assert.equal(signedOn.headers.location, '/home')
    assert.equal((await agent.get('/home')).headers.location, '/first-sign-on')
    assert.equal((await agent.get('/account')).headers.location, '/first-sign-on')
    const form = await agent.get('/first-sign-on').expect(200)
    assert.equal(titleOf(form.text), 'Create your password and secret questions – Member Portal')
    const incomplete = await submitForm(agent, '/first-sign-on', {
      password: mariaCredentials.password,
      confirmPassword: mariaCredentials.password,
    })
    assert.equal(errorSummary(incomplete.text).length, 3)
    const done = await submitForm(agent, '/first-sign-on', mariaCredentials)
    assert.equal(done.headers.location, '/home')
    assert.match(pageText((await agent.get('/home')).text), /Welcome, James/)
    const notice = await context.background.mail.waitFor(
      (email) => email.to === 'james.chen@example.com' && /temporary password/.test(email.text),
    )
    assert.match(notice.text, /temporary password mailed to you was used/)

    assert.equal((await signOn(supertest.agent(context.app), 'james.chen', letter.password)).status, 401, 'single use')
    assert.equal(
      (await signOn(supertest.agent(context.app), 'james.chen', mariaCredentials.password)).headers.location,
      '/home',
    )
  })

  it('prints each letter in its member’s language, records it in the manifest, and adds the taglines insert', async () => {
    await createPendingLetters(db(), clock, 2)
    const members = await db()('temp_password_requests').where({ status: 'pending' }).orderBy('id').pluck('member_id')
    await db()('members').where({ id: members[1] }).update({ preferred_language: 'es' })
    const batch = (await context.background.services.letterBatches.runBatch())!
    const lettersFile = path.join(batch.directory, 'letters.pdf')
    const english = pdfText(lettersFile, { first: 1, last: 1 })
    const spanish = pdfText(lettersFile, { first: 2, last: 2 })
    assert.match(english, /Your temporary password for the member portal/)
    assert.match(english, /Use it by\s+December 16, 2026/)
    assert.match(spanish, /Su contraseña temporal para el portal para miembros/)
    assert.match(spanish, /Servicio a los Miembros, PO Box 2600/, 'the return window too')
    assert.match(spanish, /Carta 2 del lote/)
    assert.match(spanish, /Úsela antes del\s+16 de diciembre de 2026/)
    assert.match(
      spanish,
      /Su ID de usuario\s+\S+\s+Su contraseña temporal\s+[A-Za-z2-9]{4} [A-Za-z2-9]{4} [A-Za-z2-9]{4}/,
    )
    assert.match(spanish, /Fecha del lote: 25 de noviembre de 2026\. Esta carta no contiene información médica\./)
    assert.doesNotMatch(spanish, /Your|temporary|sign on/i)

    const rows = fs.readFileSync(path.join(batch.directory, 'manifest.csv'), 'utf8').trim().split('\r\n')
    assert.deepEqual(
      rows.slice(1, -1).map((row) => row.split(',').at(-1)),
      ['en', 'es'],
    )

    const insert = path.join(batch.directory, 'taglines.pdf')
    assert.equal(pdfPageCount(insert), 1)
    const taglines = pdfText(insert)
    assert.match(taglines, /Free language help/)
    assert.match(taglines, /ATTENTION: If you speak another language/)
    assert.match(taglines, /ATENCIÓN: Si habla español/)
    assert.match(taglines, /CHÚ Ý: Nếu bạn nói Tiếng Việt/)
    assert.match(taglines, /ВНИМАНИЕ: Если вы говорите на русском языке/)
    assert.match(taglines, /1-800-555-0100/)
    execFileSync('sha256sum', ['--check', '--quiet', 'checksums.sha256'], { cwd: batch.directory })
    assert.match(fs.readFileSync(path.join(batch.directory, 'checksums.sha256'), 'utf8'), / {2}taglines\.pdf\n$/)
  })

  it('issues nothing twice when the batch runs again', async () => {
    await jamesRequestsByMail()
    assert.ok(await context.background.services.letterBatches.runBatch())
    assert.equal(await context.background.services.letterBatches.runBatch(), undefined)
    assert.equal(await countRows(db(), 'letter_batches'), 1)
  })

  it('refuses an expired temporary password and offers a new letter', async () => {
    await jamesRequestsByMail()
    const batch = await context.background.services.letterBatches.runBatch()
    const [letter] = lettersIn(batch!.directory)
    clock.advance(22 * 86_400_000)
    const refused = await signOn(supertest.agent(context.app), 'james.chen', letter.password)
    assert.equal(refused.status, 401)
    assert.match(refused.text, /href="\/forgot-password\/by-mail"/)
  })

  it('lets a new request supersede the letter already mailed', async () => {
    await jamesRequestsByMail()
    const first = lettersIn((await context.background.services.letterBatches.runBatch())!.directory)[0]
    const again = await submitForm(supertest.agent(context.app), '/forgot-password/by-mail', james)
    assert.equal(again.headers.location, '/forgot-password/by-mail/requested')
    const second = lettersIn((await context.background.services.letterBatches.runBatch())!.directory)[0]
    assert.notEqual(first.password, second.password)
    assert.equal((await signOn(supertest.agent(context.app), 'james.chen', first.password)).status, 401)
    assert.equal((await signOn(supertest.agent(context.app), 'james.chen', second.password)).headers.location, '/home')
  })

  it('asks whether the address on file is current, and mails nothing if not', async () => {
    const agent = supertest.agent(context.app)
    await submitForm(agent, '/register', james)
    await submitForm(agent, '/register/terms', { accept: 'yes' })
    assert.equal((await agent.get('/register/by-mail')).headers.location, '/register/user-id')
    await submitForm(agent, '/register/user-id', { userId: 'james.chen', email: 'james.chen@example.com' })
    const missing = await submitForm(agent, '/register/by-mail', {})
    assert.deepEqual(errorSummary(missing.text), ['Select yes if this is where you get your mail'])
    const changed = await submitForm(agent, '/register/by-mail', { addressCurrent: 'no' })
    assert.match(pageText(changed.text), /Update your address first/)
    assert.equal(await countRows(db(), 'temp_password_requests'), 0)
  })

  it('writes a manifest that matches the PDF page by page, with checksums that verify', async () => {
    await createPendingLetters(db(), clock, 60)
    const batch = (await context.background.services.letterBatches.runBatch())!
    const lettersFile = path.join(batch.directory, 'letters.pdf')
    assert.equal(pdfPageCount(lettersFile), 60)
    // Three chunks merged: the title, language and XMP are there; pdfunite dropped the tags, so no PDF/UA claim.
    const facts = await pdfDocumentFacts(lettersFile)
    assert.deepEqual(
      [facts.title, facts.language, facts.displaysTitle],
      [`Temporary password letters ${batch.batchId}`, 'en-US', true],
    )
    assert.match(facts.xmp, /<dc:title><rdf:Alt><rdf:li xml:lang="x-default">Temporary password letters/)
    assert.equal(facts.tagged, false)
    assert.doesNotMatch(facts.xmp, /pdfuaid:part/)
    const lines = fs.readFileSync(path.join(batch.directory, 'manifest.csv'), 'utf8').trim().split('\r\n')
    assert.equal(
      lines[0],
      'sequence,batch_id,member_reference,name,address_line_1,address_line_2,first_page,last_page,language',
    )
    assert.equal(lines.at(-1), `TRAILER,${batch.batchId},pieces=60,pages=60,mail_date=2026-11-26,,,,`)
    const rows = lines.slice(1, -1).map((line) => line.split(','))
    assert.equal(rows.length, 60)
    for (const row of [rows[0], rows[29], rows[59]]) {
      const [sequence, batchId, , name, delivery, lastLine, firstPage, lastPage] = row
      assert.equal(batchId, batch.batchId)
      assert.equal(firstPage, sequence)
      assert.equal(lastPage, sequence)
      assert.match(name, /^TEST\d+ MEMBERBULK$/)
      assert.doesNotMatch(delivery + lastLine, /[.,]/)
      const page = pdfText(lettersFile, { first: Number(firstPage), last: Number(lastPage) })
      assert.ok(
        page.includes(name) && page.includes(delivery) && page.includes(lastLine),
        `page ${firstPage} holds ${name}`,
      )
    }
    execFileSync('sha256sum', ['--check', '--quiet', 'checksums.sha256'], { cwd: batch.directory })
    assert.equal(await countRows(db(), 'temp_password_requests', { status: 'issued' }), 60)
  })

  it('never issues one letter twice when two batch runs race', async () => {
    await createPendingLetters(db(), clock, 80)
    const other = testServices({ clock })
    try {
      const results = await Promise.all([
        context.background.services.letterBatches.runBatch(),
        other.letterBatches.runBatch(),
      ])
      const made = results.filter((result) => result !== undefined)
      assert.equal(
        made.reduce((sum, result) => sum + result!.pieces, 0),
        80,
      )
      const userIds = made.flatMap((result) => lettersIn(result!.directory).map((letter) => letter.userId))
      assert.equal(new Set(userIds).size, 80)
      const issued = await db()('temp_password_requests').where({ status: 'issued' }).select('user_id')
      assert.equal(new Set(issued.map((row: { user_id: number }) => row.user_id)).size, 80)
    } finally {
      await closeServices(other)
    }
  })

  it('leaves no visible batch when the run is killed, and the next run issues those letters', async function () {
    this.timeout(120_000)
    await createPendingLetters(db(), clock, 150)
    const child = spawnEntry('scripts/letters.ts', clock, { env: { LETTERS_CHUNK_SIZE: '25' } })
    // Kill it once it has written part of the batch.
    for (let i = 0; i < 600; i++) {
      const temp = fs.existsSync(lettersDir)
        ? fs.readdirSync(lettersDir).find((entry) => entry.startsWith('.tmp-'))
        : undefined
      if (temp && fs.readdirSync(path.join(lettersDir, temp)).some((file) => file.startsWith('part-'))) break
      await new Promise((resolve) => setTimeout(resolve, 100))
    }
    child.kill('SIGKILL')
    await new Promise((resolve) => child.once('exit', resolve))
    assert.deepEqual(
      fs.readdirSync(lettersDir).filter((entry) => !entry.startsWith('.')),
      [],
      'no visible batch directory',
    )
    assert.equal(await countRows(db(), 'temp_password_requests', { status: 'issued' }), 0)
    const mailroom = supertest.agent(context.app)
    await signOn(mailroom, 'mailroom.clerk', demoPassword)
    assert.match(pageText((await mailroom.get('/mailroom')).text), /No batches yet/)

    // Past the crashed run's lease, the next run takes its letters back.
    clock.advance(11 * 60_000)
    const batch = (await context.background.services.letterBatches.runBatch())!
    assert.equal(batch.pieces, 150)
    assert.deepEqual(fs.readdirSync(lettersDir), [batch.batchId], 'the hidden directory is gone')
    assert.equal(await countRows(db(), 'letter_batches', { status: 'abandoned' }), 1)
    assert.equal(await countRows(db(), 'temp_password_requests', { status: 'issued' }), 150)
  })
})
