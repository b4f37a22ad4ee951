import * as cheerio from 'cheerio'
import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import supertest from 'supertest'
import { localesDirectory } from '../../src/platform/i18n'
import {
  csrfTokenIn,
  errorSummary,
  pageText,
  signedOnAgent,
  submitForm,
  titleOf,
  type Agent,
  useTestApp,
} from '../helpers/app'
import { identityAnswers, maria, mariaCredentials, mariaRecord } from '../helpers/registration'

type Tree = { [key: string]: string | Tree }

const ownNamespaces = ['accounts', 'registration', 'account', 'welcome']

/** Every message of a namespace, by its dotted key. */
function messagesOf(language: string, namespace: string): Map<string, string> {
  const flat = new Map<string, string>()
  const walk = (tree: Tree, prefix: string) => {
    for (const [key, value] of Object.entries(tree)) {
      if (typeof value === 'string') flat.set(`${prefix}${key}`, value)
      else walk(value, `${prefix}${key}.`)
    }
  }
  walk(JSON.parse(readFileSync(path.join(localesDirectory, language, `${namespace}.json`), 'utf8')) as Tree, '')
  return flat
}

/**
 * The English sentences of these features that Spanish says differently, as fixed text a page would show: the
 * part of each message before any value or markup, when it is long enough to be unmistakable.
 */
const englishOnly = ownNamespaces.flatMap((namespace) => {
  const spanish = messagesOf('es', namespace)
  return [...messagesOf('en', namespace)]
    .filter(([key, text]) => spanish.get(key) !== text)
    .map(([, text]) => text.split(/{{|</)[0].trim())
    .filter((text) => text.split(' ').length >= 3)
})

/** What of these features' English a page shows, and common English words, in its main content. */
function leftoverEnglish(html: string): string[] {
  const text = pageText(html).replace(/\s+/g, ' ')
  const sentences = englishOnly.filter((sentence) => text.includes(sentence))
  const words = [...text.matchAll(/\b(the|your|you|and|with|enter|choose|sign on|password|account|email)\b/gi)]
  return [...sentences, ...words.map((match) => match[0])]
}

/** A form sent that should be accepted: the answer is a redirect to the next page. */
async function sent(response: Promise<supertest.Response>): Promise<supertest.Response> {
  const answer = await response
  assert.equal(answer.status, 303, errorSummary(answer.text).join('; '))
  return answer
}

const spanishAgent = async (agent: Agent) => {
  await agent.get('/language?to=es').expect(303)
  return agent
}

describe('accounts and registration in Spanish', () => {
  const { services, app } = useTestApp()

  it('shows the signed-out pages in Spanish, with no English left', async () => {
    for (const page of [
      '/',
      '/sign-on',
      '/signed-out',
      '/forgot-user-id',
      '/forgot-user-id/sent',
      '/forgot-password',
      '/forgot-password/sent',
      '/forgot-password/by-mail',
      '/forgot-password/by-mail/requested',
      '/forgot-password/reset?token=nothing',
      '/verify-email?token=nothing',
      '/register',
    ]) {
      const response = await supertest(app).get(page).set('Accept-Language', 'es')
      assert.equal(cheerio.load(response.text)('html').attr('lang'), 'es', page)
      assert.deepEqual(leftoverEnglish(response.text), [], page)
    }
    const english = await supertest(app).get('/sign-on').expect(200)
    assert.ok(leftoverEnglish(english.text).includes('Trouble signing on?'), 'the check sees English when it is there')
    const welcome = await supertest(app).get('/').set('Accept-Language', 'es').expect(200)
    assert.equal(cheerio.load(welcome.text)('h1').text(), 'Empiece a cuidar su salud en línea, cuando le convenga')
    assert.equal(titleOf(welcome.text), 'Empiece a cuidar su salud en línea – Member Portal')
  })

  it('signs on in Spanish and says what went wrong in Spanish', async () => {
    const agent = await spanishAgent(supertest.agent(app))
    const empty = await submitForm(agent, '/sign-on', { userId: '', password: '' })
    assert.equal(empty.status, 400)
    assert.deepEqual(errorSummary(empty.text), ['Escriba su ID de usuario', 'Escriba su contraseña'])
    assert.equal(cheerio.load(empty.text)('label[for=userId]').text(), 'ID de usuario')
    const wrong = await submitForm(agent, '/sign-on', { userId: 'alex.rivera', password: 'not the password at all' })
    assert.equal(wrong.status, 401)
    assert.match(errorSummary(wrong.text)[0], /^El ID de usuario o la contraseña no son correctos/)
  })

  it('asks the recovery questions in Spanish', async () => {
    const agent = await spanishAgent(supertest.agent(app))
    const response = await submitForm(agent, '/forgot-user-id', { mrn: '12ab' })
    assert.equal(response.status, 400)
    assert.deepEqual(errorSummary(response.text), [
      'Escriba su nombre',
      'Escriba su apellido',
      'Escriba su fecha de nacimiento',
      'Su número de historia clínica solo puede tener dígitos, como aparece en su tarjeta de identificación de miembro',
    ])
    assert.match(titleOf(response.text), /^Error: ¿Olvidó su ID de usuario\? – Member Portal$/)
    assert.deepEqual(leftoverEnglish(response.text), [])
  })

  it('registers through every step in Spanish, errors in Spanish, and keeps Spanish as the member’s language', async () => {
    const agent = await spanishAgent(supertest.agent(app))

    const first = await submitForm(agent, '/register', {})
    assert.equal(titleOf(first.text), 'Error: Información de la membresía (paso 1 de 5) – Member Portal')
    assert.equal(errorSummary(first.text)[0], 'Escriba su nombre')
    assert.equal(cheerio.load(first.text)('.caption').text(), 'Registrarse: paso 1 de 5')
    await sent(submitForm(agent, '/register', maria))

    const terms = await submitForm(agent, '/register/terms', {})
    assert.deepEqual(errorSummary(terms.text), ['Marque la casilla para indicar que acepta los términos y condiciones'])
    assert.deepEqual(leftoverEnglish(terms.text), [])
    await sent(submitForm(agent, '/register/terms', { accept: 'yes' }))

    const step3 = await agent.get('/register/user-id').expect(200)
    const $ = cheerio.load(step3.text)
    assert.equal($('input[name=preferredLanguage]:checked').val(), 'es', 'the page’s language is chosen already')
    assert.equal($('label[for=preferredLanguage]').attr('lang'), 'en')
    assert.deepEqual(leftoverEnglish(step3.text), [])
    const bad = await submitForm(agent, '/register/user-id', { userId: 'ab', email: 'nope', preferredLanguage: 'fr' })
    assert.deepEqual(errorSummary(bad.text), [
      'Su ID de usuario debe tener al menos 6 caracteres',
      'Escriba un correo electrónico con el formato correcto, como nombre@ejemplo.com',
      'Elija English o Español',
    ])
    await sent(
      submitForm(agent, '/register/user-id', {
        userId: 'maria.garcia',
        email: 'maria.garcia@example.com',
        preferredLanguage: 'es',
      }),
    )

    const identity = await agent.get('/register/secure').expect(200)
    assert.ok(
      cheerio.load(identity.text)('legend').text().includes('¿Quién es su médico de atención primaria?'),
      'the identity questions are asked in Spanish',
    )
    const unanswered = await submitForm(agent, '/register/secure', {})
    assert.ok(errorSummary(unanswered.text).includes('Responda: ¿Quién es su médico de atención primaria?'))
    const page = await agent.get('/register/secure')
    await sent(submitForm(agent, '/register/secure', identityAnswers(page.text, mariaRecord)))

    const weak = await submitForm(agent, '/register/secure/password', {
      ...mariaCredentials,
      password: 'short',
      confirmPassword: 'short',
      question2: 'first-pet',
    })
    assert.deepEqual(errorSummary(weak.text), [
      'Su contraseña debe tener al menos 15 caracteres. Unas cuantas palabras juntas, como una frase corta, forman una contraseña segura',
      'Elija otra pregunta para la pregunta secreta 2: cada una debe ser diferente',
    ])
    assert.ok(
      cheerio.load(weak.text)('#question1 option').text().includes('¿Cómo se llamaba su primera mascota?'),
      'the secret questions are offered in Spanish',
    )
    assert.deepEqual(leftoverEnglish(weak.text), [])
    await sent(submitForm(agent, '/register/secure/password', mariaCredentials))

    const done = await agent.get('/register/done').expect(200)
    assert.equal(cheerio.load(done.text)('h1').text(), 'Ya está registrado')
    assert.deepEqual(leftoverEnglish(done.text), [])
    const member = await services.db('members').where({ mrn: maria.mrn }).first('preferred_language')
    assert.equal(member.preferred_language, 'es')
  })

  it('stores the language chosen at step 3 even when it is not the page’s, and the pages follow it', async () => {
    const agent = supertest.agent(app)
    await sent(
      submitForm(agent, '/register', {
        ...maria,
        firstName: 'James',
        lastName: 'Chen',
        mrn: '11000002',
        'birthDate-day': '2',
        'birthDate-month': '11',
        'birthDate-year': '1972',
      }),
    )
    await sent(submitForm(agent, '/register/terms', { accept: 'yes' }))
    const step3 = await agent.get('/register/user-id').expect(200)
    assert.equal(cheerio.load(step3.text)('input[name=preferredLanguage]:checked').val(), 'en')
    const chosen = await sent(
      submitForm(agent, '/register/user-id', {
        userId: 'james.chen',
        email: 'james.chen@example.com',
        preferredLanguage: 'es',
      }),
    )
    assert.match(String(chosen.headers['set-cookie']), /lang=es/)
    const next = await agent.get('/register/secure').expect(200)
    assert.equal(cheerio.load(next.text)('html').attr('lang'), 'es')
    const byMail = await agent.get('/register/by-mail').expect(200)
    assert.match(cheerio.load(byMail.text)('.inset .visually-hidden').text(), / y \d+ letras ocultas/)
    assert.deepEqual(leftoverEnglish(byMail.text), [])
    await sent(submitForm(agent, '/register/by-mail', { addressCurrent: 'yes' }))
    const requested = await agent.get('/register/by-mail/requested').expect(200)
    assert.deepEqual(leftoverEnglish(requested.text), [])
    const member = await services.db('members').where({ mrn: '11000002' }).first('preferred_language')
    assert.equal(member.preferred_language, 'es', 'the letter by mail follows the choice too')
  })

  it('shows account settings in Spanish, dates included', async () => {
    const agent = await signedOnAgent(app, 'alex.rivera')
    await agent.get('/language?to=es&return=/account').expect(303)
    for (const page of [
      '/account',
      '/account/password',
      '/account/email',
      '/account/message-emails',
      '/account/secret-questions',
      '/account/apps',
      '/account/language',
    ]) {
      const response = await agent.get(page).expect(200)
      assert.equal(cheerio.load(response.text)('html').attr('lang'), 'es', page)
      assert.deepEqual(leftoverEnglish(response.text), [], page)
    }
    const account = await agent.get('/account').expect(200)
    const $ = cheerio.load(account.text)
    assert.equal($('h1').text(), 'Su cuenta')
    assert.match($('table th[scope=row]').first().text(), /^\d{1,2} de [a-z]+ de \d{4}/)
    assert.equal($('span[lang=es]').text(), 'Español')
    const password = await submitForm(agent, '/account/password', { currentPassword: 'wrong', password: 'x' })
    assert.deepEqual(errorSummary(password.text), [
      'Su contraseña actual no es correcta',
      'Su contraseña debe tener al menos 15 caracteres. Unas cuantas palabras juntas, como una frase corta, forman una contraseña segura',
    ])
  })

  it('changes the preferred language in account settings: record, session and cookie', async () => {
    const agent = await signedOnAgent(app, 'alex.rivera')
    await agent.get('/language?to=en&return=/account').expect(303)
    const form = await agent.get('/account/language').expect(200)
    assert.equal(cheerio.load(form.text)('input[name=language]:checked').val(), 'en')
    const saved = await agent
      .post('/account/language')
      .type('form')
      .send({ _csrf: csrfTokenIn(form.text), language: 'es' })
      .expect(303)
    assert.equal(saved.headers.location, '/account')
    assert.match(String(saved.headers['set-cookie']), /lang=es;.*HttpOnly/)
    const member = await services.db('members').where({ mrn: '11000003' }).first('preferred_language')
    assert.equal(member.preferred_language, 'es')
    const account = await agent.get('/account').set('Accept-Language', 'en').expect(200)
    assert.equal(cheerio.load(account.text)('html').attr('lang'), 'es', 'the session follows the new language')
    assert.equal(
      cheerio.load(account.text)('.notice').text().trim(),
      'Su idioma ahora es Español. Lo usaremos para las páginas del portal, sus correos electrónicos y sus cartas.',
    )
  })

  it('refuses a missing, wrong or hostile language with a message in the page’s language, never a 500', async () => {
    const agent = await signedOnAgent(app, 'alex.rivera')
    await agent.get('/language?to=es&return=/account').expect(303)
    const token = csrfTokenIn((await agent.get('/account/language')).text)
    for (const body of [
      {},
      { language: '' },
      { language: 'fr' },
      { language: 'es-MX' },
      { language: ['es', 'en'] },
      { language: '<script>alert(1)</script>' },
      { 'language[key]': 'es' },
    ]) {
      const response = await agent
        .post('/account/language')
        .type('form')
        .send({ _csrf: token, ...body })
      assert.equal(response.status, 400, JSON.stringify(body))
      assert.deepEqual(errorSummary(response.text), ['Elija English o Español'], JSON.stringify(body))
      assert.equal(cheerio.load(response.text)('a[href="#language"]').length, 1)
    }
    const member = await services.db('members').where({ mrn: '11000003' }).first('preferred_language')
    assert.equal(member.preferred_language, 'es')
    const forged = await agent.post('/account/language').type('form').send({ language: 'en' })
    assert.equal(forged.status, 403)
  })
})
