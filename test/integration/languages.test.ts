import * as cheerio from 'cheerio'
import assert from 'node:assert/strict'
import { readdirSync, readFileSync } from 'node:fs'
import path from 'node:path'
import supertest from 'supertest'
import { languages, localesDirectory, namespaces } from '../../src/platform/i18n'
import { demoPassword, errorSummary, signedOnAgent, signOn, useTestApp } from '../helpers/app'

type Tree = { [key: string]: string | Tree }

/** Every key of a message file, with plural forms ("_one", "_other", "_many") read as their one key. */
function keysOf(tree: Tree, prefix = ''): string[] {
  return Object.entries(tree).flatMap(([key, value]) =>
    typeof value === 'string'
      ? [`${prefix}${key.replace(/_(zero|one|two|few|many|other)$/, '')}`]
      : keysOf(value, `${prefix}${key}.`),
  )
}

const messages = (language: string, namespace: string): Tree =>
  JSON.parse(readFileSync(path.join(localesDirectory, language, `${namespace}.json`), 'utf8')) as Tree

describe('languages', () => {
  const { services, app } = useTestApp()

  it('has every message in both languages, and no file in one that the other lacks', () => {
    for (const language of languages) {
      assert.deepEqual(
        readdirSync(path.join(localesDirectory, language)).sort(),
        namespaces().map((namespace) => `${namespace}.json`),
        `the files of ${language}`,
      )
      for (const namespace of namespaces()) {
        const english = new Set(keysOf(messages('en', namespace)))
        const other = new Set(keysOf(messages(language, namespace)))
        assert.deepEqual(
          [...english].filter((key) => !other.has(key)),
          [],
          `${language}/${namespace}.json lacks keys`,
        )
        assert.deepEqual(
          [...other].filter((key) => !english.has(key)),
          [],
          `${language}/${namespace}.json has keys English lacks`,
        )
      }
    }
  })

  it("follows the browser's Accept-Language on a first visit, and says which language the page is in", async () => {
    const spanish = await supertest(app).get('/sign-on').set('Accept-Language', 'es-MX,es;q=0.9,en;q=0.5').expect(200)
    const $ = cheerio.load(spanish.text)
    assert.equal($('html').attr('lang'), 'es')
    assert.equal($('a[hreflang="en"]').text(), 'English')
    assert.equal($('a[hreflang="en"]').attr('lang'), 'en')
    assert.equal($('.skip-link').text(), 'Saltar al contenido principal')
    const english = await supertest(app).get('/sign-on').set('Accept-Language', 'fr-FR,de;q=0.8').expect(200)
    assert.equal(cheerio.load(english.text)('html').attr('lang'), 'en')
    assert.equal(cheerio.load(english.text)('a[hreflang="es"]').text(), 'Español')
  })

  it('switches with a plain link, returns to the same page and remembers the choice for a signed-out visitor', async () => {
    const agent = supertest.agent(app)
    const page = await agent.get('/forgot-user-id?from=here').expect(200)
    const link = cheerio.load(page.text)('a[hreflang="es"]').attr('href')!
    const switched = await agent.get(link).expect(303)
    assert.equal(switched.headers.location, '/forgot-user-id?from=here')
    assert.match(String(switched.headers['set-cookie']), /lang=es;.*HttpOnly/)
    const again = await agent.get('/sign-on').set('Accept-Language', 'en-US').expect(200)
    assert.equal(cheerio.load(again.text)('html').attr('lang'), 'es', 'the cookie wins over the browser')
    await agent.get('/language?to=en&return=/sign-on').expect(303)
    assert.equal(
      cheerio
        .load((await agent.get('/sign-on')).text)('html')
        .attr('lang'),
      'en',
    )
  })

  it('answers the switch however its address is spelled, and never leaves the site', async () => {
    for (const address of ['/language?to=es', '/Language/?to=ES', '/LANGUAGE?to=es-MX']) {
      const response = await supertest(app).get(address).expect(303)
      assert.equal(response.headers.location, '/', address)
      assert.match(String(response.headers['set-cookie']), /lang=es/, address)
    }
    for (const away of ['https://evil.example/', '//evil.example', '/\\evil.example']) {
      const response = await supertest(app)
        .get(`/language?to=es&return=${encodeURIComponent(away)}`)
        .expect(303)
      assert.equal(response.headers.location, '/')
    }
  })

  it('offers both languages when none or a wrong one is asked for, with a message in the reader’s language', async () => {
    const choose = await supertest(app).get('/language').expect(200)
    assert.deepEqual(
      cheerio
        .load(choose.text)('#languages a')
        .map((_i, a) => cheerio.load(a).text())
        .get(),
      ['English', 'Español'],
    )
    for (const bad of ['fr', '', 'x'.repeat(5000), '<script>alert(1)</script>', 'es&to=en']) {
      const response = await supertest(app)
        .get(`/language?to=${encodeURIComponent(bad)}`)
        .set('Accept-Language', 'es')
        .expect(400)
      assert.deepEqual(errorSummary(response.text), ['Elija English o Español.'], bad.slice(0, 20))
    }
    const twice = await supertest(app).get('/language?to=es&to=en').expect(400)
    assert.deepEqual(errorSummary(twice.text), ['Choose English or Español.'])
  })

  it("keeps a signed-on member's choice on their account, for their next sign-on anywhere", async () => {
    const agent = await signedOnAgent(app, 'alex.rivera')
    await agent.get('/language?to=es&return=/home').expect(303)
    const home = await agent.get('/home').expect(200)
    assert.equal(cheerio.load(home.text)('html').attr('lang'), 'es')
    const member = await services.db('members').where({ mrn: '11000003' }).first('preferred_language')
    assert.equal(member.preferred_language, 'es')
    // Another browser, English by its own settings: the account's language wins once signed on.
    const elsewhere = supertest.agent(app)
    await signOn(elsewhere, 'alex.rivera', demoPassword)
    const there = await elsewhere.get('/home').set('Accept-Language', 'en').expect(200)
    assert.equal(cheerio.load(there.text)('html').attr('lang'), 'es')
  })

  it('keeps the staff areas in English, whatever the browser asks for', async () => {
    const agent = await signedOnAgent(app, 'office.nurse')
    const office = await agent.get('/office').set('Accept-Language', 'es').expect(200)
    assert.equal(cheerio.load(office.text)('html').attr('lang'), 'en')
  })

  it('reads form errors in the chosen language', async () => {
    const agent = supertest.agent(app)
    await agent.get('/language?to=es').expect(303)
    const page = await agent.get('/sign-on')
    const token = cheerio.load(page.text)('input[name=_csrf]').val() as string
    const response = await agent.post('/sign-on').type('form').send({ _csrf: token, userId: '', password: '' })
    assert.equal(response.status, 400)
    assert.equal(cheerio.load(response.text)('.error-summary-title').text(), 'Hay un problema')
    assert.match(cheerio.load(response.text)('title').text(), /^Error: /)
  })
})
