import assert from 'node:assert/strict'
import * as cheerio from 'cheerio'
import { fixedClock } from '../../src/platform/clock'
import { grantsPerDay } from '../../src/family/service'
import {
  type Agent,
  countRows,
  csrfTokenIn,
  errorSummary,
  pageText,
  signedOnAgent,
  submitForm,
  titleOf,
  useTestApp,
} from '../helpers/app'
import { openSlotsOf } from '../helpers/appointments'
import { useBackground } from '../helpers/background'
import { chooseMember } from '../helpers/family'
import { auditRowsAfter, lastAuditId, memberIdOf, userIdOf } from '../helpers/records'

const switcherOptions = (html: string) =>
  cheerio
    .load(html)('#viewing-member option')
    .map((_i, option) => cheerio.load(option).text().trim())
    .get()

const navigation = (html: string) =>
  cheerio
    .load(html)('nav[aria-label="Member tools"] a')
    .map((_i, link) => cheerio.load(link).text().trim())
    .get()

const viewingLine = (html: string) => pageText(html, '.viewing-current')

const pat = {
  firstName: 'Pat',
  lastName: 'Rivera',
  'birthDate-day': '30',
  'birthDate-month': '9',
  'birthDate-year': '1948',
  mrn: '11000006',
}
const alexDetails = {
  firstName: 'Alex',
  lastName: 'Rivera',
  'birthDate-day': '21',
  'birthDate-month': '6',
  'birthDate-year': '1980',
  mrn: '11000003',
}

describe('family and shared access', () => {
  // A Wednesday morning in California; the demo data is loaded relative to it.
  const clock = fixedClock(new Date('2026-11-25T18:00:00Z'))
  const context = useBackground({ clock, startAt: new Date('2026-11-25T18:00:00Z') })
  const db = () => context.background.services.db
  const as = (userId: string) => signedOnAgent(context.app, userId)
  const member = async (mrn: string) => memberIdOf(db(), mrn)

  describe('the switcher', () => {
    it('says whose records are shown on every member page and lists only the members one may act for', async () => {
      const alex = await as('alex.rivera')
      const home = await alex.get('/home').expect(200)
      assert.equal(viewingLine(home.text), 'You are viewing: Alex Rivera (you)')
      assert.deepEqual(switcherOptions(home.text), ['Alex Rivera (you)', 'Jordan Rivera', 'Pat Rivera', 'Sam Rivera'])
      for (const path of ['/labs', '/prescriptions', '/account', '/family', '/no-such-page'])
        assert.equal(viewingLine((await alex.get(path)).text), 'You are viewing: Alex Rivera (you)', path)

      const patHome = await (await as('pat.rivera')).get('/home').expect(200)
      assert.equal(viewingLine(patHome.text), 'You are viewing: Pat Rivera (you)')
      assert.deepEqual(switcherOptions(patHome.text), [], 'Pat acts for nobody, so there is nothing to switch to')
    })

    it('stays on the same tool when the member chosen has it, and goes to their home when not; audited', async () => {
      const alex = await as('alex.rivera')
      const before = await lastAuditId(db())
      const toSam = await chooseMember(alex, await member('11000004'), '/labs/12')
      assert.equal(toSam.headers.location, '/labs')
      const labs = await alex.get('/labs').expect(200)
      assert.equal(viewingLine(labs.text), 'You are viewing: Sam Rivera')
      assert.match(pageText(labs.text), /Hemoglobin/)
      // The headings name whose records they are: never "Your" for a child's.
      assert.equal(pageText(labs.text, 'main h2:contains("s results")'), 'Sam Rivera’s results')
      const coverage = await alex.get('/coverage')
      assert.equal(pageText(coverage.text, 'main h2:first-of-type'), 'Sam Rivera’s plan')
      assert.match(pageText(coverage.text), /What has been paid for Sam Rivera this plan year/)
      const switched = (await auditRowsAfter(db(), before)).find((row) => row.action === 'proxy-access.switch')
      assert.equal(switched?.subject_member_id, await member('11000004'))
      assert.equal(switched?.actor_user_id, await userIdOf(db(), 'alex.rivera'))

      const toJordan = await chooseMember(alex, await member('11000005'), '/labs')
      assert.equal(toJordan.headers.location, '/home', 'a teen’s lab results are not Alex’s to see')
      const back = await chooseMember(alex, await member('11000003'), '/labs')
      assert.equal(back.headers.location, '/labs')
      const own = await alex.get('/labs')
      assert.equal(viewingLine(own.text), 'You are viewing: Alex Rivera (you)')
      assert.equal(pageText(own.text, 'main h2:contains("Your results")'), 'Your results')
    })

    it('refuses a member one may not act for, or no member at all, with a 404', async () => {
      const pat = await as('pat.rivera')
      for (const memberId of [String(await member('11000004')), '999999', 'abc', '']) {
        const token = csrfTokenIn((await pat.get('/home')).text)
        const response = await pat.post('/viewing').type('form').send({ memberId, _csrf: token })
        assert.equal(response.status, 404, memberId)
      }
      assert.equal(viewingLine((await pat.get('/home')).text), 'You are viewing: Pat Rivera (you)')
    })

    it('hides the tools outside the scope from the navigation', async () => {
      const alex = await as('alex.rivera')
      const all = [
        'Home',
        'Lab results',
        'Prescriptions',
        'Messages',
        'Appointments',
        'Vaccination records',
        'Coverage and costs',
      ]
      assert.deepEqual(navigation((await alex.get('/home')).text), [
        ...all,
        'Access history',
        'Family and shared access',
      ])
      await chooseMember(alex, await member('11000004'))
      assert.deepEqual(navigation((await alex.get('/home')).text), [
        ...all,
        'Access history',
        'Family and shared access',
      ])
      await chooseMember(alex, await member('11000005'))
      const jordan = await alex.get('/home')
      assert.deepEqual(navigation(jordan.text), [
        'Home',
        'Messages',
        'Appointments',
        'Vaccination records',
        'Family and shared access',
      ])
      assert.match(pageText(jordan.text), /Jordan Rivera’s home/)
      assert.doesNotMatch(pageText(jordan.text), /Lab results|Prescriptions|Coverage and costs/)
      await chooseMember(alex, await member('11000006'))
      assert.deepEqual(navigation((await alex.get('/home')).text), [
        'Home',
        'Prescriptions',
        'Appointments',
        'Family and shared access',
      ])
    })
  })

  describe('acting for someone', () => {
    it('books an appointment for a grantor, recording who booked it', async () => {
      const alex = await as('alex.rivera')
      const pat = await member('11000006')
      await chooseMember(alex, pat)
      const provider = Number((await db()('providers').where({ name: 'Dr. Amir Haddad' }).first('id')).id)
      const [slot] = await openSlotsOf(db(), 'Dr. Amir Haddad', new Date(clock().getTime() + 2 * 86_400_000))
      const before = await lastAuditId(db())
      const booked = await submitForm(
        alex,
        '/appointments/new',
        {
          visitType: 'office-visit',
          provider: String(provider),
          slot: String(slot.id),
          reason: 'Blood pressure check',
        },
        '/appointments',
      )
      assert.equal(booked.status, 303)
      const appointment = await db()('appointments').where({ slot_id: slot.id, status: 'booked' }).first()
      assert.equal(appointment.member_id, pat)
      assert.equal(appointment.booked_by_user_id, await userIdOf(db(), 'alex.rivera'))
      const audit = (await auditRowsAfter(db(), before)).find((row) => row.action === 'appointment.book')
      assert.deepEqual([audit?.actor_user_id, audit?.subject_member_id], [await userIdOf(db(), 'alex.rivera'), pat])
      assert.match(pageText((await alex.get(booked.headers.location)).text), /Booked by Alex Rivera/)

      // Pat sees it among her own appointments, with who booked it, and Alex in her access history.
      const patAgent = await as('pat.rivera')
      assert.match(pageText((await patAgent.get(`/appointments/${appointment.id}`)).text), /Booked by Alex Rivera/)
      const history = pageText((await patAgent.get('/access-history').expect(200)).text)
      assert.match(history, /Alex Rivera ?Booked an appointment/)
      assert.match(history, /Alex Rivera ?Chose these records in "You are viewing"/)
    })

    it('writes to the office on a teen’s behalf, recording who wrote it', async () => {
      const alex = await as('alex.rivera')
      const jordan = await member('11000005')
      await chooseMember(alex, jordan)
      const compose = await alex.get('/messages/new').expect(200)
      const department = cheerio.load(compose.text)('[name="department"]').first().val() as string
      const before = await lastAuditId(db())
      const sent = await alex
        .post('/messages/new')
        .type('form')
        .send({
          topic: 'doctor-question',
          department,
          subject: 'Knee still sore',
          body: 'Jordan’s knee is still sore after practice. Should we come in?',
          notUrgent: 'yes',
          _csrf: csrfTokenIn(compose.text),
        })
      assert.equal(sent.status, 303)
      const thread = await db()('message_threads').where({ member_id: jordan, subject: 'Knee still sore' }).first()
      const [message] = await db()('messages').where({ thread_id: thread.id })
      assert.equal(message.author_user_id, await userIdOf(db(), 'alex.rivera'))
      const audit = (await auditRowsAfter(db(), before)).find((row) => row.action === 'message.send')
      assert.deepEqual([audit?.actor_user_id, audit?.subject_member_id], [await userIdOf(db(), 'alex.rivera'), jordan])
      assert.match(pageText((await alex.get(sent.headers.location)).text), /Alex Rivera \(acting for Jordan Rivera\)/)
    })

    it('lets a parent read a child’s access history, never a teen’s or a grantor’s', async () => {
      const alex = await as('alex.rivera')
      await chooseMember(alex, await member('11000004'))
      await alex.get('/vaccinations').expect(200)
      const history = await alex.get('/access-history').expect(200)
      assert.equal(titleOf(history.text), 'Who has seen Sam Rivera’s records – Member Portal')
      assert.match(pageText(history.text), /You ?Looked at the vaccination record/)
      await chooseMember(alex, await member('11000005'))
      assert.equal((await alex.get('/access-history')).status, 404)
      await chooseMember(alex, await member('11000006'))
      assert.equal((await alex.get('/access-history')).status, 404)
    })
  })

  describe('giving access (/family)', () => {
    it('shows whom the member acts for, what they may use, and who has access to their records', async () => {
      const alex = await as('alex.rivera')
      const page = pageText((await alex.get('/family').expect(200)).text)
      assert.match(
        page,
        /Jordan Rivera ?Your teen \(12 to 17\).*You can use: Messages, Appointments, Vaccination records\./,
      )
      assert.match(page, /Pat Rivera ?Shared with you ?You can use: Prescriptions, Appointments\./)
      assert.match(
        page,
        /Sam Rivera ?Your child \(under 12\) ?You can use: Lab results, Prescriptions, Messages, Appointments, Vaccination records, Coverage and costs, and see who has looked/,
      )
      assert.match(page, /You have not given anyone access/)
      const patPage = pageText((await (await as('pat.rivera')).get('/family')).text)
      assert.match(
        patPage,
        /Alex Rivera ?Prescriptions, Appointments ?Until you take it away ?Take away access from Alex Rivera/,
      )
    })

    it('gives access, emails the grantee without health information, and the grantee can use only those tools', async () => {
      const alex = await as('alex.rivera')
      const before = await lastAuditId(db())
      const given = await submitForm(alex, '/family/grant', {
        ...pat,
        tools: ['labs', 'vaccinations'],
        'endsOn-day': '31',
        'endsOn-month': '12',
        'endsOn-year': '2027',
      })
      assert.equal(given.status, 303)
      assert.equal(given.headers.location, '/family?granted=1')
      const family = pageText((await alex.get(given.headers.location)).text)
      assert.match(family, /Access given/)
      assert.match(family, /Pat Rivera ?Lab results, Vaccination records ?December 31, 2027/)
      const audit = (await auditRowsAfter(db(), before)).find((row) => row.action === 'proxy-grant.create')
      assert.equal(audit?.subject_member_id, await member('11000003'))

      const email = await context.background.mail.waitFor((message) => message.to === 'pat.rivera@example.com')
      assert.equal(email.subject, 'You have been given access on Member Portal')
      assert.match(email.text, /Alex Rivera has given you access/)
      assert.match(email.text, /\/sign-on/)
      assert.doesNotMatch(email.text, /lab|vaccin|prescription|appointment|coverage|claim|11000003/i)

      const patAgent = await as('pat.rivera')
      assert.deepEqual(switcherOptions((await patAgent.get('/home')).text), ['Pat Rivera (you)', 'Alex Rivera'])
      await chooseMember(patAgent, await member('11000003'))
      assert.match(pageText((await patAgent.get('/labs').expect(200)).text), /LDL/)
      assert.equal((await patAgent.get('/coverage')).status, 404)
      assert.equal((await patAgent.get('/prescriptions')).status, 404)
    })

    it('takes away access at once: the proxy’s next request is a 404 and the switcher forgets the member', async () => {
      const alex = await as('alex.rivera')
      await submitForm(alex, '/family/grant', { ...pat, tools: 'labs' })
      const patAgent = await as('pat.rivera')
      await chooseMember(patAgent, await member('11000003'))
      await patAgent.get('/labs').expect(200)

      const grant = await db()('proxy_grants')
        .where({ grantor_member_id: await member('11000003') })
        .first('id')
      const revoked = await submitForm(alex, '/family', {}, `/family/grants/${grant.id}/revoke`)
      assert.equal(revoked.headers.location, '/family?revoked=1')
      assert.match(pageText((await alex.get('/family')).text), /Access that has ended ?Pat Rivera: taken away/)

      assert.equal((await patAgent.get('/labs')).status, 404)
      const home = await patAgent.get('/home').expect(200)
      assert.equal(viewingLine(home.text), 'You are viewing: Pat Rivera (you)')
      assert.deepEqual(switcherOptions(home.text), [])
    })

    it('refuses to revoke a grant that is not the member’s own', async () => {
      const alex = await as('alex.rivera')
      const patsGrant = await db()('proxy_grants')
        .where({ grantor_member_id: await member('11000006') })
        .first('id')
      for (const id of [String(patsGrant.id), '999999', 'abc']) {
        const response = await submitForm(alex, '/family', {}, `/family/grants/${id}/revoke`)
        assert.equal(response.status, 404, id)
      }
      assert.equal(await countRows(db(), 'proxy_grants', { id: patsGrant.id, revoked_at: null }), 1)
    })

    it('changes what someone can use by giving access again: one live grant', async () => {
      const alex = await as('alex.rivera')
      await submitForm(alex, '/family/grant', { ...pat, tools: 'labs' })
      await submitForm(alex, '/family/grant', { ...pat, tools: ['coverage', 'prescriptions'] })
      const grants = await db()('proxy_grants').where({ grantor_member_id: await member('11000003'), revoked_at: null })
      assert.equal(grants.length, 1)
      const tools = await db()('proxy_grant_tools').where({ grant_id: grants[0].id }).orderBy('tool').pluck('tool')
      assert.deepEqual(tools, ['coverage', 'prescriptions'])
    })

    it('answers missing, wrong, huge and hostile input on the form, keeping what was typed', async () => {
      const alex = await as('alex.rivera')
      const empty = await submitForm(alex, '/family/grant', {})
      assert.equal(empty.status, 400)
      assert.match(titleOf(empty.text), /^Error: /)
      assert.deepEqual(errorSummary(empty.text), [
        'Enter their first name',
        'Enter their last name',
        'Enter their date of birth',
        'Enter their medical record number (MRN)',
        'Choose at least one thing they can use for you',
      ])

      const hostile = await submitForm(alex, '/family/grant', {
        firstName: '<script>alert(1)</script>',
        lastName: 'x'.repeat(5000),
        'birthDate-day': '31',
        'birthDate-month': '2',
        'birthDate-year': '1948',
        mrn: "1' OR '1'='1",
        tools: ['labs', 'admin'],
        'endsOn-day': '1',
        'endsOn-month': '1',
        'endsOn-year': '2020',
      })
      assert.equal(hostile.status, 400)
      assert.deepEqual(errorSummary(hostile.text), [
        'Their last name must be 60 characters or fewer',
        'Their date of birth must be a real date',
        'Their medical record number can only contain digits, as printed on their member ID card',
        'Choose from the list',
        'The end date must be today or in the future',
      ])
      assert.doesNotMatch(hostile.text, /<script>alert/)
      assert.equal(cheerio.load(hostile.text)('#firstName').val(), '<script>alert(1)</script>')
      assert.equal(cheerio.load(hostile.text)('#tools').attr('checked'), 'checked', 'the real tool stays ticked')

      const farAway = await submitForm(alex, '/family/grant', { ...pat, tools: 'labs', 'endsOn-month': '5' })
      assert.deepEqual(errorSummary(farAway.text), ['The end date must include a day and year'])
      const arrays = await alex
        .post('/family/grant')
        .type('form')
        .send(
          `firstName=a&firstName=b&tools[x]=1&_csrf=${encodeURIComponent(csrfTokenIn((await alex.get('/family/grant')).text))}`,
        )
      assert.equal(arrays.status, 400)
    })

    it('gives access in Spanish, with the form’s errors, the notice and the dates in Spanish', async () => {
      const alex = await as('alex.rivera')
      await alex.get('/language?to=es').expect(303)
      const form = await alex.get('/family/grant').expect(200)
      assert.equal(cheerio.load(form.text)('html').attr('lang'), 'es')
      assert.equal(cheerio.load(form.text)('h1').text(), 'Dar a alguien acceso a sus registros')

      const wrong = await submitForm(alex, '/family/grant', {
        ...pat,
        'birthDate-day': '31',
        'birthDate-month': '2',
        'endsOn-month': '5',
      })
      assert.equal(wrong.status, 400)
      assert.match(titleOf(wrong.text), /^Error: Dar a alguien acceso a sus registros/)
      assert.deepEqual(errorSummary(wrong.text), [
        'La fecha de nacimiento de esa persona debe ser una fecha real',
        'Elija al menos una cosa que pueda usar por usted',
        'La fecha de terminación debe incluir el día y el año',
      ])
      const self = await submitForm(alex, '/family/grant', { ...alexDetails, tools: 'labs' })
      assert.deepEqual(errorSummary(self.text), ['No puede darse acceso a usted mismo'])

      const given = await submitForm(alex, '/family/grant', {
        ...pat,
        tools: ['labs', 'vaccinations'],
        'endsOn-day': '31',
        'endsOn-month': '12',
        'endsOn-year': '2027',
      })
      assert.equal(given.status, 303)
      const family = pageText((await alex.get(given.headers.location)).text)
      assert.match(family, /Se dio el acceso\. Le enviamos un correo electrónico a esa persona\./)
      assert.match(family, /Pat Rivera .*31 de diciembre de 2027 ?Quitar el acceso a Pat Rivera/)
      assert.match(
        family,
        /Sam Rivera ?Su hijo o hija \(menor de 12 años\) ?Puede usar: .*También puede ver quién ha visto sus registros\./,
      )

      const history = await alex.get('/access-history').expect(200)
      assert.equal(cheerio.load(history.text)('h1').text(), 'Quién ha visto sus registros')
      assert.match(pageText(history.text), /Usted ?Dio acceso a alguien/)
    })

    it('gives access only to another adult member with an account, named as on their card', async () => {
      const alex = await as('alex.rivera')
      const cases: [Record<string, string>, string][] = [
        [alexDetails, 'You cannot give access to yourself'],
        [
          { ...pat, firstName: 'Patricia' },
          'We could not find a member with those details. Check them against their member ID card and try again.',
        ],
        [
          {
            firstName: 'Maria',
            lastName: 'Garcia',
            'birthDate-day': '14',
            'birthDate-month': '3',
            'birthDate-year': '1985',
            mrn: '11000001',
          },
          'They need an online account before you can give them access. They can register on the Member Portal.',
        ],
      ]
      for (const [details, message] of cases) {
        const response = await submitForm(alex, '/family/grant', { ...details, tools: 'labs' })
        assert.equal(response.status, 400, message)
        assert.deepEqual(errorSummary(response.text), [message])
      }
      const sam = await db()('members').where({ mrn: '11000004' }).first('birth_date')
      const [year, month, day] = String(sam.birth_date).split('-')
      const child = await submitForm(alex, '/family/grant', {
        firstName: 'Sam',
        lastName: 'Rivera',
        'birthDate-day': day,
        'birthDate-month': month,
        'birthDate-year': year,
        mrn: '11000004',
        tools: 'labs',
      })
      assert.deepEqual(errorSummary(child.text), ['You can give access only to an adult (18 or older)'])
      assert.equal(await countRows(db(), 'proxy_grants', { grantor_member_id: await member('11000003') }), 0)
    })

    it(`caps the grants (each emails someone) at ${grantsPerDay} a day`, async () => {
      const alex = await as('alex.rivera')
      for (let n = 0; n < grantsPerDay; n++)
        assert.equal((await submitForm(alex, '/family/grant', { ...pat, tools: 'labs' })).status, 303)
      const capped = await submitForm(alex, '/family/grant', { ...pat, tools: 'labs' })
      assert.equal(capped.status, 400)
      assert.deepEqual(errorSummary(capped.text), [
        `You can give access ${grantsPerDay} times a day. Try again tomorrow.`,
      ])
    })
  })
})

describe('a refill asked for by a parent', () => {
  const clock = fixedClock(new Date('2026-11-25T18:00:00Z'))
  const { services, app } = useTestApp({ clock, keepRedis: true })
  let alex: Agent
  before(async () => {
    alex = await signedOnAgent(app, 'alex.rivera')
  })

  it('is the child’s request, made by the parent, and a draft started for one member never carries to another', async () => {
    const sam = await memberIdOf(services.db, '11000004')
    const alexMember = await memberIdOf(services.db, '11000003')
    const albuterol = await services
      .db('medications')
      .where({ member_id: sam })
      .where('name', 'like', 'Albuterol%')
      .first('id')
    const pharmacy = await services.db('pharmacies').where({ code: 'SL-0301' }).first('id')

    // A draft started for Alex himself...
    await submitForm(alex, '/prescriptions/refill', {
      medications: String(
        (
          await services
            .db('medications')
            .where({ member_id: alexMember })
            .where('name', 'like', 'Atorvastatin%')
            .first('id')
        ).id,
      ),
      delivery: `pharmacy-${pharmacy.id}`,
    })
    await chooseMember(alex, sam)
    // ...is not Sam's: his check page sends the parent back to the form.
    assert.equal((await alex.get('/prescriptions/refill/check')).headers.location, '/prescriptions/refill')

    const form = await alex.get('/prescriptions/refill').expect(200)
    const token = cheerio.load(form.text)('input[name="requestToken"]').val() as string
    const chosen = await alex
      .post('/prescriptions/refill')
      .type('form')
      .send({
        medications: String(albuterol.id),
        delivery: `pharmacy-${pharmacy.id}`,
        requestToken: token,
        _csrf: csrfTokenIn(form.text),
      })
    assert.equal(chosen.headers.location, '/prescriptions/refill/check')
    const check = await alex.get('/prescriptions/refill/check').expect(200)
    const sent = await alex
      .post('/prescriptions/refill/check')
      .type('form')
      .send({ requestToken: token, _csrf: csrfTokenIn(check.text) })
    assert.equal(sent.status, 303)
    const request = await services.db('refill_requests').where({ form_token: token }).first()
    assert.equal(request.member_id, sam)
    assert.equal(request.requested_by_user_id, await userIdOf(services.db, 'alex.rivera'))
  })
})
