import assert from 'node:assert/strict'
import * as cheerio from 'cheerio'
import supertest from 'supertest'
import { demoPassword, signOn, useTestApp } from '../helpers/app'

describe('clear pages', () => {
  const { app } = useTestApp()

  const headerLinks = (html: string) =>
    cheerio
      .load(html)('.site-header a')
      .map((_i, link) => cheerio.load(link).text().trim())
      .get()

  it('offers "Sign on" in the header everywhere but on the sign-on page itself, and the other language always', async () => {
    assert.deepEqual(headerLinks((await supertest(app).get('/').expect(200)).text), [
      'Member Portal',
      'Español',
      'Sign on',
    ])
    assert.deepEqual(headerLinks((await supertest(app).get('/sign-on').expect(200)).text), ['Member Portal', 'Español'])
  })

  it('asks for a new password on /account/password in words that fit changing it', async () => {
    const agent = supertest.agent(app)
    await signOn(agent, 'alex.rivera', demoPassword)
    const $ = cheerio.load((await agent.get('/account/password').expect(200)).text)
    assert.deepEqual(
      $('main h1, main h2')
        .map((_i, heading) => $(heading).text().trim())
        .get(),
      ['Change your password', 'Choose your new password'],
    )
  })
})
