import assert from 'node:assert/strict'
import * as cheerio from 'cheerio'
import supertest from 'supertest'
import { csrfTokenIn, demoPassword, errorSummary, signOn, titleOf, useTestApp } from '../helpers/app'

describe('compressed pages, and CSRF tokens they cannot give away', () => {
  const { app } = useTestApp()

  it('sends a page gzip-compressed to a browser that asks for gzip, and brotli to one that asks for it', async () => {
    // The client decodes what it was sent, so a readable page with this header was really gzip.
    const gzipped = await supertest(app).get('/sign-on').set('Accept-Encoding', 'gzip').expect(200)
    assert.equal(gzipped.headers['content-encoding'], 'gzip')
    assert.equal(titleOf(gzipped.text), 'Sign on – Member Portal')
    const brotli = await supertest(app).get('/sign-on').set('Accept-Encoding', 'br').expect(200)
    assert.equal(brotli.headers['content-encoding'], 'br')
    // The stylesheet by the hashed name the page links, as a browser fetches it.
    const stylesheet = cheerio.load(gzipped.text)('link[rel="stylesheet"]').attr('href')!
    const css = await supertest(app).get(stylesheet).set('Accept-Encoding', 'gzip').expect(200)
    assert.equal(css.headers['content-encoding'], 'gzip')
    const plain = await supertest(app).get('/sign-on').set('Accept-Encoding', 'identity').expect(200)
    assert.equal(plain.headers['content-encoding'], undefined)
  })

  it('masks the CSRF token afresh in every copy of a page, and every copy still works', async () => {
    const member = supertest.agent(app)
    const first = csrfTokenIn((await member.get('/sign-on').set('Accept-Encoding', 'gzip')).text)
    const second = csrfTokenIn((await member.get('/sign-on').set('Accept-Encoding', 'gzip')).text)
    assert.notEqual(first, second)
    // No long run of one copy repeats in the other, so compression has nothing to match against.
    assert.ok(!second.includes(first.slice(0, 12)) && !second.includes(first.slice(-12)))

    const wrongPassword = await member
      .post('/sign-on')
      .type('form')
      .send({ _csrf: first, userId: 'alex.rivera', password: 'not the password' })
      .expect(401)
    assert.equal(errorSummary(wrongPassword.text).length, 1, 'the older copy is accepted: the form is answered')
    await member
      .post('/sign-on')
      .type('form')
      .send({ _csrf: second, userId: 'alex.rivera', password: demoPassword })
      .expect(303)
    assert.equal((await member.get('/home').expect(200)).status, 200)
  })

  it('refuses a token that was altered, cut short or is not a masked token at all', async () => {
    const member = supertest.agent(app)
    await signOn(member, 'alex.rivera', demoPassword)
    const token = csrfTokenIn((await member.get('/account/email')).text)
    const [pad, hidden] = token.split('.')
    const flipped = `${pad}.${hidden.slice(0, -2)}${hidden.endsWith('AA') ? 'AB' : 'AA'}`
    for (const forged of [flipped, `${pad}.${hidden.slice(0, 20)}`, pad, 'a'.repeat(256), `${'.'.repeat(3)}`, '']) {
      const response = await member
        .post('/account/email')
        .type('form')
        .send({ _csrf: forged, email: 'new@example.com' })
        .expect(403)
      assert.equal(titleOf(response.text), 'Your form expired – Member Portal', forged)
    }
  })
})
