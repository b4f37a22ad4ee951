import * as cheerio from 'cheerio'
import assert from 'node:assert/strict'
import supertest from 'supertest'
import { taglines } from '../../src/language-help/taglines'
import { pageText, signedOnAgent, useTestApp } from '../helpers/app'
import { describeHtmlErrors, htmlErrors } from '../helpers/html-checker'

describe('language assistance and nondiscrimination notices', () => {
  const { app } = useTestApp()

  it('gives the notice of free language help in English and the 16 other languages, each marked with its own lang and dir', async () => {
    const page = await supertest(app).get('/language-assistance').expect(200)
    const $ = cheerio.load(page.text)
    assert.equal($('html').attr('lang'), 'en')
    assert.equal($('h1').text(), 'Language assistance')
    const items = $('.taglines li')
      .toArray()
      .map((item) => ({ lang: $(item).attr('lang'), dir: $(item).attr('dir'), text: $(item).text() }))
    assert.equal(items.length, 17)
    assert.deepEqual(
      items.map((item) => item.lang),
      ['en', 'es', 'zh-Hant', 'vi', 'tl', 'ko', 'hy', 'fa', 'ru', 'ja', 'ar', 'pa', 'km', 'hmn', 'hi', 'th', 'lo'],
    )
    for (const item of items) {
      assert.equal(item.dir, ['ar', 'fa'].includes(item.lang!) ? 'rtl' : 'ltr', item.lang)
      assert.match(item.text, /1-800-555-0100/, item.lang)
      assert.match(item.text, /711/, item.lang)
    }
    // The number reads left to right inside right-to-left text.
    assert.equal($('.taglines li[lang="ar"] bdi[dir="ltr"] a[href="tel:18005550100"]').length, 1)
    assert.match(pageText(page.text), /Arabic|العربية/)
    assert.ok(
      taglines.every((tagline) => !tagline.text.includes('اذكر اللغة')),
      'no template placeholder left',
    )
  })

  it('reads in Spanish on a Spanish page, signed out or signed on, with the taglines unchanged', async () => {
    const page = await supertest(app).get('/language-assistance').set('Accept-Language', 'es').expect(200)
    const $ = cheerio.load(page.text)
    assert.equal($('html').attr('lang'), 'es')
    assert.equal($('h1').text(), 'Asistencia con el idioma')
    assert.match(pageText(page.text), /llame a Servicio a los Miembros al 1-800-555-0100/)
    assert.equal($('.taglines li[lang="vi"]').text().startsWith('Tiếng Việt: CHÚ Ý'), true)

    const agent = await signedOnAgent(app)
    await agent.get('/language?to=es').expect(303)
    const signedOn = await agent.get('/nondiscrimination').expect(200)
    assert.equal(cheerio.load(signedOn.text)('h1').text(), 'Aviso de no discriminación')
    assert.match(pageText(signedOn.text), /No discrimina por motivos de raza, color, origen nacional/)
  })

  it('says what 45 CFR 92.10 asks: the grounds, free aids and language help, the coordinator, grievances and OCR', async () => {
    const page = await supertest(app).get('/nondiscrimination').expect(200)
    const text = pageText(page.text)
    assert.match(text, /does not discriminate on the basis of race, color, national origin/)
    assert.match(
      text,
      /sex \(including pregnancy, sexual orientation, gender identity and sex characteristics\), age or disability/,
    )
    assert.match(text, /qualified sign language interpreters/)
    assert.match(text, /qualified interpreters, and information written in other languages/)
    assert.match(text, /Section 1557 Coordinator/)
    assert.match(text, /file a grievance/)
    assert.match(text, /Office for Civil Rights/)
    assert.equal(cheerio.load(page.text)('main a[href="https://ocrportal.hhs.gov/ocr/portal/lobby.jsf"]').length, 1)
  })

  it('is linked from every page’s footer, and both pages validate in both languages', async () => {
    const home = await supertest(app).get('/sign-on').expect(200)
    const footer = cheerio.load(home.text)('footer')
    assert.equal(footer.find('a[href="/language-assistance"]').length, 1)
    assert.equal(footer.find('a[href="/nondiscrimination"]').length, 1)
    const pages = []
    for (const url of ['/language-assistance', '/nondiscrimination'])
      for (const language of ['en', 'es']) {
        const response = await supertest(app).get(url).set('Accept-Language', language).expect(200)
        pages.push({ url: `${url}?${language}`, html: response.text })
      }
    const errors = await htmlErrors(pages)
    assert.deepEqual(errors, [], describeHtmlErrors(errors))
  })
})
