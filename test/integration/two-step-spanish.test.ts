import assert from 'node:assert/strict'
import { readFileSync } from 'node:fs'
import path from 'node:path'
import * as cheerio from 'cheerio'
import supertest from 'supertest'
import { fixedClock } from '../../src/platform/clock'
import { localesDirectory } from '../../src/platform/i18n'
import { appCodeAt } from '../../src/two-step/codes'
import { demoPassword, errorSummary, pageText, submitForm, titleOf, useTestApp } from '../helpers/app'

type Tree = { [key: string]: string | Tree }
const leaves = (tree: Tree): string[] =>
  Object.values(tree).flatMap((value) => (typeof value === 'string' ? [value] : leaves(value)))
const messagesOf = (language: string, namespace: string) =>
  leaves(JSON.parse(readFileSync(path.join(localesDirectory, language, `${namespace}.json`), 'utf8')) as Tree)

/**
 * The leftover finder: each fixed English sentence of these namespaces (the parts between values, long enough to
 * mean something) that Spanish does not share, so a page in Spanish showing one still has English on it.
 */
const englishOnly = (() => {
  const namespaces = ['common', 'twoStep', 'smart', 'home', 'vaccinations']
  const spanish = new Set(namespaces.flatMap((namespace) => messagesOf('es', namespace)))
  return namespaces
    .flatMap((namespace) => messagesOf('en', namespace))
    .filter((text) => !spanish.has(text))
    .flatMap((text) => text.replace(/<[^>]+>/g, '').split(/\{\{\w+\}\}/))
    .map((part) => part.trim())
    .filter((part) => part.length >= 12)
})()

// The viewing bar and the member tools' names and descriptions are the viewing namespace's (another feature).
const othersText = 'header, .tool-list li:not(:has(a[href="/access-history"])):not(:has(a[href="/family"]))'

function assertNoEnglish(html: string, page: string) {
  const $ = cheerio.load(html)
  $(othersText).remove()
  const text = $('body').text().replace(/\s+/g, ' ')
  const found = englishOnly.filter((part) => text.includes(part))
  assert.deepEqual(found, [], `English left on ${page}`)
}

const heading = (html: string) => cheerio.load(html)('h1').text().trim()
const langOf = (html: string) => cheerio.load(html)('html').attr('lang')

describe('2-step verification and the home page in Spanish', () => {
  const clock = fixedClock(new Date('2026-11-25T15:00:00Z'))
  const { app } = useTestApp({ clock })

  it('offers 2-step verification on the home page, sets up the app and lists it, all in Spanish', async () => {
    const agent = supertest.agent(app)
    await submitForm(agent, '/sign-on', { userId: 'alex.rivera', password: demoPassword })
    await agent.get('/language?to=es&return=/home').expect(303)

    const home = await agent.get('/home').expect(200)
    assert.equal(langOf(home.text), 'es')
    assert.equal(heading(home.text), 'Le damos la bienvenida, Alex')
    assert.equal(titleOf(home.text), 'Su página de inicio – Member Portal')
    assert.match(pageText(home.text), /Proteja su cuenta con la verificación en 2 pasos/)
    assert.match(pageText(home.text), /Número de historia clínica/)
    assert.match(pageText(home.text), /Sus herramientas/)
    assertNoEnglish(home.text, '/home')

    const setup = await agent.get('/account/two-step/app').expect(200)
    assert.equal(heading(setup.text), 'Agregar una aplicación de autenticación')
    const key = cheerio.load(setup.text)('.setup-key code').text().replace(/\s+/g, '')
    const empty = await submitForm(agent, '/account/two-step/app', { oneTimeCode: '' })
    assert.equal(empty.status, 400)
    assert.deepEqual(errorSummary(empty.text), ['Escriba el código'])
    assert.equal(cheerio.load(empty.text)('.error-summary-title').text(), 'Hay un problema')
    assert.match(titleOf(empty.text), /^Error: Agregar una aplicación de autenticación/)
    assertNoEnglish(empty.text, '/account/two-step/app')
    const wrong = await submitForm(agent, '/account/two-step/app', { oneTimeCode: '000000' })
    assert.deepEqual(errorSummary(wrong.text), ['El código no es correcto. Revíselo e inténtelo de nuevo.'])

    const added = await submitForm(agent, '/account/two-step/app', { oneTimeCode: appCodeAt(key, clock()) })
    assert.equal(added.status, 200)
    assert.equal(heading(added.text), 'Guarde sus códigos de recuperación')
    clock.advance(30_000)

    const settings = await agent.get('/account/two-step').expect(200)
    assert.equal(heading(settings.text), 'Verificación en 2 pasos')
    const row = cheerio.load(settings.text)('table tbody tr').first()
    assert.equal(row.find('th').text().trim(), 'Aplicación de autenticación')
    assert.match(row.find('td').first().text(), /^25 de noviembre de 2026, a las /)
    assert.match(pageText(settings.text), /Le quedan 10 de 10 códigos de recuperación/)
    assertNoEnglish(settings.text, '/account/two-step')

    // Removing it asks for the password and a code, and says what is missing in Spanish.
    const remove = row.find('a').attr('href')!
    const page = await agent.get(remove).expect(200)
    assert.equal(heading(page.text), 'Quitar Aplicación de autenticación')
    const refused = await submitForm(agent, remove, { currentPassword: '', oneTimeCode: '' })
    assert.equal(refused.status, 400)
    assert.deepEqual(errorSummary(refused.text), ['Escriba su contraseña actual', 'Escriba el código'])
    assertNoEnglish(refused.text, remove)
    assertNoEnglish((await agent.get('/account/two-step/recovery-codes')).text, '/account/two-step/recovery-codes')
    assertNoEnglish((await agent.get('/vaccinations')).text, '/vaccinations')
  })

  it('asks for the second step at sign-on in Spanish, with the errors in Spanish', async () => {
    // Alex chose Spanish on the account in the test before; a new browser says so too.
    const agent = supertest.agent(app)
    await agent.get('/language?to=es').expect(303)
    const signed = await submitForm(agent, '/sign-on', { userId: 'alex.rivera', password: demoPassword })
    assert.equal(signed.headers.location, '/sign-on/verify')
    const verify = await agent.get('/sign-on/verify').expect(200)
    assert.equal(langOf(verify.text), 'es')
    assert.equal(heading(verify.text), 'Escriba el código de su aplicación de autenticación')
    assert.match(pageText(verify.text), /Iniciar sesión: paso 2 de 2/)
    assert.match(pageText(verify.text), /Recordar este navegador por 30 días/)
    const wrong = await submitForm(agent, '/sign-on/verify', { oneTimeCode: '123' })
    assert.equal(wrong.status, 401)
    assert.deepEqual(errorSummary(wrong.text), ['El código no es correcto. Revíselo e inténtelo de nuevo.'])
    assert.equal(titleOf(wrong.text), 'Error: Escriba el código de su aplicación de autenticación – Member Portal')
    assertNoEnglish(wrong.text, '/sign-on/verify')

    const other = await agent.get('/sign-on/verify/other').expect(200)
    assert.equal(heading(other.text), 'Use otra forma de confirmar que es usted')
    assert.match(pageText(other.text), /¿No tiene ninguna de estas formas\?/)
    assert.match(pageText(other.text), /Escribir un código de recuperación/)
    assertNoEnglish(other.text, '/sign-on/verify/other')
  })
})
