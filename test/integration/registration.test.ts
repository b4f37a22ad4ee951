import assert from 'node:assert/strict'
import supertest from 'supertest'
import * as cheerio from 'cheerio'
import { fixedClock } from '../../src/platform/clock'
import { countRows, errorSummary, pageText, signOn, submitForm, titleOf } from '../helpers/app'
import { linkIn, localPart, useBackground } from '../helpers/background'
import {
  identityAnswers,
  maria,
  mariaCredentials,
  mariaRecord,
  passIdentityQuestions,
  registerUpToSecure,
} from '../helpers/registration'

const noMatchMessage =
  'We could not find a membership with those details. Check them against your member ID card and try again.'

describe('online registration', () => {
  const clock = fixedClock(new Date('2026-11-25T15:00:00Z'))
  const context = useBackground({
    clock,
  })

  const agent = () => supertest.agent(context.app)
  const db = () => context.background.services.db

  describe('step 1: membership information', () => {
    it('asks for each missing detail by name, in page order', async () => {
      const response = await submitForm(agent(), '/register', {})
      assert.equal(response.status, 400)
      assert.equal(titleOf(response.text), 'Error: Membership information (step 1 of 5) – Member Portal')
      assert.deepEqual(errorSummary(response.text), [
        'Enter your first name',
        'Enter your last name',
        'Enter your date of birth',
        'Enter your medical record number (MRN)',
      ])
    })

    it('refuses impossible and future birth dates and keeps what was typed', async () => {
      const cases: [Record<string, string>, string][] = [
        [
          { 'birthDate-day': '31', 'birthDate-month': '2', 'birthDate-year': '1985' },
          'Your date of birth must be a real date',
        ],
        [
          { 'birthDate-day': '1', 'birthDate-month': '1', 'birthDate-year': '2027' },
          'Your date of birth must be in the past',
        ],
        [
          { 'birthDate-day': '1', 'birthDate-month': '', 'birthDate-year': '1985' },
          'Your date of birth must include a month',
        ],
        [
          { 'birthDate-day': '1', 'birthDate-month': '13', 'birthDate-year': '1985' },
          'Your date of birth must be a real date',
        ],
        [{ 'birthDate-day': '1', 'birthDate-month': '3', 'birthDate-year': '85' }, 'Year must include 4 numbers'],
        [
          { 'birthDate-day': 'x', 'birthDate-month': '3', 'birthDate-year': '1985' },
          'Your date of birth must be a real date',
        ],
      ]
      for (const [date, message] of cases) {
        const response = await submitForm(agent(), '/register', { ...maria, ...date })
        assert.deepEqual(errorSummary(response.text), [message], JSON.stringify(date))
        const $ = cheerio.load(response.text)
        assert.equal($('#firstName').val(), 'Maria')
        assert.equal($('#mrn').val(), '11000001')
        assert.equal($('#birthDate-year').val(), date['birthDate-year'])
      }
    })

    it('refuses an MRN with letters or the wrong length', async () => {
      const letters = await submitForm(agent(), '/register', { ...maria, mrn: '1100A001' })
      assert.deepEqual(errorSummary(letters.text), [
        'Your medical record number can only contain digits, as printed on your member ID card',
      ])
      const short = await submitForm(agent(), '/register', { ...maria, mrn: '1100001' })
      assert.deepEqual(errorSummary(short.text), ['Your medical record number must be 8 digits'])
    })

    it('answers huge and hostile values with messages, never an error page', async () => {
      const huge = await submitForm(agent(), '/register', {
        ...maria,
        firstName: 'M'.repeat(5000),
        mrn: '1'.repeat(3000),
      })
      assert.equal(huge.status, 400)
      assert.deepEqual(errorSummary(huge.text), [
        'Your first name must be 60 characters or fewer',
        'Your medical record number must be 8 digits',
      ])
      const hostile = await submitForm(agent(), '/register', { ...maria, lastName: '"><script>alert(1)</script>' })
      assert.equal(hostile.status, 400)
      assert.deepEqual(errorSummary(hostile.text), [noMatchMessage])
      assert.doesNotMatch(hostile.text, /<script>alert/)
    })

    it('gives one message whatever detail was wrong, and whether or not the MRN exists', async () => {
      const wrongName = await submitForm(agent(), '/register', { ...maria, firstName: 'Marie' })
      const wrongBirth = await submitForm(agent(), '/register', { ...maria, 'birthDate-day': '15' })
      const noSuchMrn = await submitForm(agent(), '/register', { ...maria, mrn: '99999999' })
      for (const response of [wrongName, wrongBirth, noSuchMrn])
        assert.deepEqual(errorSummary(response.text), [noMatchMessage])
    })

    it('matches names whatever their case, accents and surrounding spaces', async () => {
      const response = await submitForm(agent(), '/register', { ...maria, firstName: '  MARÍA ', lastName: 'garcía  ' })
      assert.equal(response.headers.location, '/register/terms')
    })

    it('throttles guessing at one MRN', async () => {
      for (let i = 0; i < 5; i++) await submitForm(agent(), '/register', { ...maria, firstName: `Wrong${i}` })
      const response = await submitForm(agent(), '/register', maria)
      assert.equal(response.status, 429)
      assert.match(errorSummary(response.text)[0], /too many attempts/)
    })

    it('sends a membership that has an account to sign on or recovery', async () => {
      const response = await submitForm(agent(), '/register', {
        firstName: 'Alex',
        lastName: 'Rivera',
        'birthDate-day': '21',
        'birthDate-month': '6',
        'birthDate-year': '1980',
        mrn: '11000003',
      })
      assert.equal(titleOf(response.text), 'You already have an account – Member Portal')
      assert.match(response.text, /href="\/forgot-password"/)
    })
  })

  describe('the order of the steps', () => {
    it('sends a jump to a later step back to the first unfinished one', async () => {
      const fresh = agent()
      for (const path of [
        '/register/terms',
        '/register/user-id',
        '/register/secure',
        '/register/secure/password',
        '/register/done',
      ]) {
        const response = await fresh.get(path)
        assert.equal(response.headers.location, '/register', path)
      }
      await submitForm(fresh, '/register', maria)
      assert.equal((await fresh.get('/register/secure')).headers.location, '/register/terms')
      await submitForm(fresh, '/register/terms', { accept: 'yes' })
      assert.equal((await fresh.get('/register/secure/password')).headers.location, '/register/user-id')
    })

    it('lets Back return to an earlier step with its answers kept', async () => {
      const member = agent()
      await registerUpToSecure(member)
      const userIdPage = await member.get('/register/user-id').expect(200)
      assert.equal(cheerio.load(userIdPage.text)('#userId').val(), 'maria.garcia')
      const terms = await member.get('/register/terms').expect(200)
      assert.equal(cheerio.load(terms.text)('#accept').attr('checked'), 'checked')
    })
  })

  describe('step 2: terms and conditions', () => {
    it('needs the box ticked', async () => {
      const member = agent()
      await submitForm(member, '/register', maria)
      const response = await submitForm(member, '/register/terms', {})
      assert.deepEqual(errorSummary(response.text), ['Select the box to say you accept the terms and conditions'])
      assert.match(pageText(response.text), /Not for emergencies/)
    })
  })

  describe('step 3: user ID and email', () => {
    it('refuses a user ID already taken in another case, and bad ones', async () => {
      const member = agent()
      await submitForm(member, '/register', maria)
      await submitForm(member, '/register/terms', { accept: 'yes' })
      const cases: [Record<string, string>, string[]][] = [
        [{ userId: 'ALEX.RIVERA', email: 'm@example.com' }, ['That user ID is already taken. Choose a different one']],
        [{ userId: 'maria', email: 'm@example.com' }, ['Your user ID must be at least 6 characters']],
        [
          { userId: 'maria garcia!', email: 'not-an-email' },
          [
            'Your user ID can only include letters, numbers, full stops (.), underscores (_) and hyphens (-)',
            'Enter an email address in the correct format, like name@example.com',
          ],
        ],
        [
          { userId: 'm'.repeat(500), email: `${'e'.repeat(300)}@example.com` },
          ['Your user ID must be 32 characters or fewer', 'Your email address must be 254 characters or fewer'],
        ],
      ]
      for (const [fields, messages] of cases) {
        const response = await submitForm(member, '/register/user-id', fields)
        assert.equal(response.status, 400)
        assert.deepEqual(errorSummary(response.text), messages, JSON.stringify(fields).slice(0, 80))
      }
    })

    it('sends a verification email with a link that works once', async () => {
      await registerUpToSecure(agent())
      const email = await context.background.mail.waitFor((message) => message.to.includes('maria.garcia@example.com'))
      assert.equal(email.subject, 'Confirm your email address for Member Portal')
      assert.doesNotMatch(email.text, /Maria|Garcia|Natarajan/)
      const link = localPart(linkIn(email, '/verify-email'))
      const first = await supertest(context.app).get(link).expect(200)
      assert.match(pageText(first.text), /Your email address is confirmed/)
      assert.equal(cheerio.load(first.text)('main a[href="/sign-on"]').text(), 'Sign on')
      const second = await supertest(context.app).get(link).expect(410)
      assert.match(pageText(second.text), /expired or has already been used/)
      await supertest(context.app).get('/verify-email?token=not-a-token').expect(410)
    })
  })

  describe('step 4: secure your account', () => {
    it('asks three multiple-choice questions without revealing the answers', async () => {
      const member = agent()
      await registerUpToSecure(member)
      const page = await member.get('/register/secure').expect(200)
      const $ = cheerio.load(page.text)
      assert.equal($('fieldset').length, 3)
      $('fieldset').each((_i, fieldset) => assert.equal($(fieldset).find('input[type=radio]').length, 4))
      assert.deepEqual(
        $('input[type=radio]')
          .map((_i, radio) => $(radio).attr('value'))
          .get()
          .sort(),
        ['0', '0', '0', '1', '1', '1', '2', '2', '2', '3', '3', '3'],
      )
      for (const truth of Object.values(mariaRecord))
        assert.match(page.text, new RegExp(truth.replace(/[().]/g, '\\$&')))
    })

    it('offers decoys that are nobody’s data, and still takes the right answers', async () => {
      const roster = await db()('members as m')
        .join('providers as p', 'p.id', 'm.pcp_provider_id')
        .whereNot('m.mrn', maria.mrn)
        .select('m.address_line1', 'm.phone', 'p.name as doctor')
      const providers = await db()('providers').pluck('name')
      assert.ok(roster.length >= 9 && providers.length >= 6)
      const digits = (phone: string) => phone.replace(/\D/g, '')
      const othersData = new Set([
        ...roster.flatMap((row) => [row.address_line1, digits(row.phone), row.doctor]),
        ...providers,
      ])
      const member = agent()
      await registerUpToSecure(member)
      // Three sets: the first, and the new set after each of two wrong tries.
      let page = await member.get('/register/secure').expect(200)
      for (let set = 1; set <= 3; set++) {
        const $ = cheerio.load(page.text)
        const options = (name: string) =>
          $(`input[name=${name}]`)
            .map((_i, radio) =>
              $(`label[for="${$(radio).attr('id')}"]`)
                .text()
                .trim(),
            )
            .get()
        const asked = { address: options('address'), doctor: options('doctor'), phone: options('phone') }
        for (const [question, truth] of Object.entries(mariaRecord) as [keyof typeof asked, string][]) {
          assert.equal(asked[question].filter((option) => option === truth).length, 1, `${question}: the right answer`)
          for (const decoy of asked[question].filter((option) => option !== truth))
            assert.equal(othersData.has(question === 'phone' ? digits(decoy) : decoy), false, `${decoy} is on file`)
        }
        // The right answer has the same form as the decoys.
        assert.ok(asked.address.every((option) => /^\d{4} \S+ \S+$/.test(option)))
        assert.ok(asked.phone.every((option) => /^\(510\) 555-\d{4}$/.test(option)))
        assert.ok(asked.doctor.every((option) => /^Dr\. \S+ \S+$/.test(option)))
        if (set < 3) page = await submitForm(member, '/register/secure', identityAnswers(page.text, mariaRecord, true))
      }
      // Reloading shows the same set; the right answers are accepted.
      const labels = (html: string) => cheerio.load(html)('.radio label').text()
      assert.equal(labels((await member.get('/register/secure')).text), labels(page.text))
      const passed = await submitForm(member, '/register/secure', identityAnswers(page.text, mariaRecord))
      assert.equal(passed.headers.location, '/register/secure/password')
    })

    it('locks the online route after three wrong sets of answers', async () => {
      const member = agent()
      await registerUpToSecure(member)
      for (let attempt = 1; attempt <= 3; attempt++) {
        const page = await member.get('/register/secure')
        const response = await submitForm(member, '/register/secure', identityAnswers(page.text, mariaRecord, true))
        if (attempt < 3) assert.match(errorSummary(response.text)[0], /did not match our records/)
        else
          assert.equal(
            titleOf(response.text),
            'We could not confirm your identity online (step 4 of 5) – Member Portal',
          )
      }
      const locked = await member.get('/register/secure')
      assert.match(pageText(locked.text), /We could not confirm your identity online/)
      assert.equal((await member.get('/register/secure/password')).headers.location, '/register/secure')
    })

    it('asks for an answer to each question', async () => {
      const member = agent()
      await registerUpToSecure(member)
      const response = await submitForm(member, '/register/secure', {})
      assert.equal(errorSummary(response.text).length, 3)
    })

    it('explains each problem with the password and secret questions', async () => {
      const member = agent()
      await registerUpToSecure(member)
      await passIdentityQuestions(member)
      const cases: [Record<string, string>, string[]][] = [
        [
          { ...mariaCredentials, password: 'passwordpassword', confirmPassword: 'passwordpassword' },
          ['Your password is on a list of common or breached passwords. Choose another one'],
        ],
        [
          {
            ...mariaCredentials,
            password: 'maria.garcia is my password',
            confirmPassword: 'maria.garcia is my password',
          },
          ['Your password must not contain your user ID'],
        ],
        [
          { ...mariaCredentials, password: 'garcia family forever!', confirmPassword: 'garcia family forever!' },
          ['Your password must not contain your name'],
        ],
        [
          { ...mariaCredentials, password: 'too short', confirmPassword: 'too short' },
          [
            'Your password must be at least 15 characters. A few words together, like a short sentence, make a strong one',
          ],
        ],
        [
          { ...mariaCredentials, confirmPassword: 'something else entirely' },
          ['The passwords do not match. Type the same password twice'],
        ],
        [
          { ...mariaCredentials, question2: 'first-pet' },
          ['Choose a different question for secret question 2: each must be different'],
        ],
        [
          { ...mariaCredentials, question3: 'not-a-question', answer1: ' ', answer2: 'x'.repeat(200) },
          [
            'Enter an answer to secret question 1 of at least 2 letters or numbers',
            'The answer to secret question 2 must be 60 characters or fewer',
            'Choose secret question 3',
          ],
        ],
      ]
      for (const [fields, messages] of cases) {
        const response = await submitForm(member, '/register/secure/password', fields)
        assert.equal(response.status, 400)
        assert.deepEqual(errorSummary(response.text), messages)
        assert.doesNotMatch(
          response.text,
          new RegExp(fields.password.replace(/[.!]/g, '\\$&')),
          'password never echoed',
        )
      }
      assert.equal(await countRows(db(), 'users', { member_id: 1 }), 0)
    })
  })

  it('registers Maria through all five steps and lets her sign on', async () => {
    const member = agent()
    await registerUpToSecure(member)
    assert.equal(await countRows(db(), 'users', { user_id_key: 'maria.garcia' }), 0, 'no account before step 4 ends')
    await passIdentityQuestions(member)
    const created = await submitForm(member, '/register/secure/password', mariaCredentials)
    assert.equal(created.headers.location, '/register/done')
    const done = await member.get('/register/done').expect(200)
    assert.match(pageText(done.text), /You are registered Your user ID is maria\.garcia/)
    assert.equal(titleOf(done.text), 'You are registered (step 5 of 5) – Member Portal')

    const user = await db()('users').where({ user_id_key: 'maria.garcia' }).first()
    assert.equal(user.terms_version, '2026-11')
    assert.equal(user.terms_accepted_at.toISOString(), clock().toISOString())
    assert.match(user.password_hash, /^\$argon2id\$/)
    const answers = await db()('secret_answers').where({ user_id: user.id }).orderBy('position')
    assert.deepEqual(
      answers.map((row) => row.question_key),
      ['first-pet', 'parents-met', 'first-car'],
    )
    for (const row of answers) {
      assert.match(row.answer_hash, /^\$argon2id\$/)
      assert.doesNotMatch(row.answer_hash, /Biscuit|Louis|Civic/i)
    }
    assert.ok(await context.background.services.credentials.checkSecretAnswer(user.id, 'parents-met', '  st louis '))
    assert.equal(await countRows(db(), 'audit_log', { action: 'account.registered', actor_user_id: user.id }), 1)

    const signedOn = await signOn(supertest.agent(context.app), 'Maria.Garcia', mariaCredentials.password)
    assert.equal(signedOn.headers.location, '/home')
    // The membership is now registered: a second registration is refused.
    const again = await submitForm(agent(), '/register', maria)
    assert.equal(titleOf(again.text), 'You already have an account – Member Portal')
  })

  it('confirms the email when the link is opened after the account exists', async () => {
    const member = agent()
    await registerUpToSecure(member)
    await passIdentityQuestions(member)
    await submitForm(member, '/register/secure/password', mariaCredentials)
    const email = await context.background.mail.waitFor((message) => message.subject.startsWith('Confirm your email'))
    await supertest(context.app)
      .get(localPart(linkIn(email, '/verify-email')))
      .expect(200)
    const user = await db()('users').where({ user_id_key: 'maria.garcia' }).first()
    assert.ok(user.email_verified_at)
  })

  it('makes one account when the same membership finishes twice at once', async () => {
    const first = agent()
    const second = agent()
    await registerUpToSecure(first, 'maria.one')
    await registerUpToSecure(second, 'maria.two')
    await passIdentityQuestions(first)
    await passIdentityQuestions(second)
    const [pageOne, pageTwo] = await Promise.all([
      first.get('/register/secure/password'),
      second.get('/register/secure/password'),
    ])
    const token = (html: string) => cheerio.load(html)('input[name=_csrf]').val() as string
    const [a, b] = await Promise.all([
      first
        .post('/register/secure/password')
        .type('form')
        .send({ ...mariaCredentials, _csrf: token(pageOne.text) }),
      second
        .post('/register/secure/password')
        .type('form')
        .send({ ...mariaCredentials, _csrf: token(pageTwo.text) }),
    ])
    assert.deepEqual([a.status, b.status].sort(), [303, 409])
    const refused = a.status === 409 ? a : b
    assert.equal(titleOf(refused.text), 'You already have an account – Member Portal')
    assert.equal(
      await countRows(db(), 'users', { member_id: (await db()('members').where({ mrn: '11000001' }).first()).id }),
      1,
    )
  })
})
