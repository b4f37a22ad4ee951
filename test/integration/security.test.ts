import assert from 'node:assert/strict'
import express from 'express'
import supertest from 'supertest'
import { errorHandler } from '../../src/platform/errors'
import { createLogger } from '../../src/platform/logger'
import { setUpViews, withLayout } from '../../src/platform/views'
import { demoPassword, pageText, signOn, titleOf, useTestApp } from '../helpers/app'

describe('web security', () => {
  const { app } = useTestApp()

  it('sends a strict content security policy with no inline script or style', async () => {
    const response = await supertest(app).get('/').expect(200)
    const csp = String(response.headers['content-security-policy'])
    const scriptSrc = csp.split(';').find((directive) => directive.trim().startsWith('script-src'))
    assert.equal(scriptSrc?.trim(), "script-src 'self'")
    assert.doesNotMatch(csp, /unsafe-inline|unsafe-eval/)
    assert.match(csp, /frame-ancestors 'none'/)
    assert.equal(response.headers['x-content-type-options'], 'nosniff')
    assert.equal(response.headers['x-powered-by'], undefined)
  })

  it('sets the session cookie httpOnly and SameSite=Lax', async () => {
    const response = await supertest(app).get('/sign-on')
    const cookie = String(response.headers['set-cookie'])
    assert.match(cookie, /portal\.sid=/)
    assert.match(cookie, /HttpOnly/)
    assert.match(cookie, /SameSite=Lax/)
  })

  it('gives a public page without starting a session', async () => {
    const response = await supertest(app).get('/')
    assert.equal(response.headers['set-cookie'], undefined)
  })

  it('refuses a form posted without its CSRF token with a friendly page', async () => {
    const agent = supertest.agent(app)
    await agent.get('/sign-on')
    const response = await agent.post('/sign-on').type('form').send({ userId: 'alex.rivera', password: demoPassword })
    assert.equal(response.status, 403)
    assert.equal(titleOf(response.text), 'Your form expired – Member Portal')
    assert.match(pageText(response.text), /Please go back, reload the page, and try again/)
  })

  it('refuses a forged CSRF token and a sign-out without one', async () => {
    const agent = supertest.agent(app)
    await signOn(agent, 'alex.rivera', demoPassword)
    const forged = await agent.post('/sign-out').type('form').send({ _csrf: 'forged-token' })
    assert.equal(forged.status, 403)
    await agent.get('/home').expect(200)
  })

  it('keeps members out of the staff areas', async () => {
    const agent = supertest.agent(app)
    await signOn(agent, 'alex.rivera', demoPassword)
    for (const area of ['/office', '/ops', '/mailroom']) {
      const response = await agent.get(area)
      assert.equal(response.status, 403, area)
      assert.match(pageText(response.text), /You cannot open this page/)
    }
  })

  it('keeps each staff role to its own area and out of member pages', async () => {
    const agent = supertest.agent(app)
    await signOn(agent, 'mailroom.clerk', demoPassword)
    await agent.get('/mailroom').expect(200)
    await agent.get('/ops').expect(403)
    await agent.get('/office').expect(403)
    await agent.get('/home').expect(403)
  })

  it('sends a signed-out visitor to sign on from every private page', async () => {
    for (const path of ['/home', '/office', '/ops', '/mailroom']) {
      const response = await supertest(app).get(path)
      assert.equal(response.status, 303, path)
      assert.equal(response.headers.location, '/sign-on')
    }
  })

  it('does not follow a return address off the site', async () => {
    const agent = supertest.agent(app)
    await agent.get('//evil.example.com/home')
    const response = await signOn(agent, 'alex.rivera', demoPassword)
    assert.equal(response.headers.location, '/home')
  })

  it('answers an unknown address with a helpful 404 page', async () => {
    const response = await supertest(app).get('/no-such-page').expect(404)
    assert.equal(titleOf(response.text), 'Page not found – Member Portal')
  })

  it('refuses an oversized form with its own page', async () => {
    const response = await supertest(app)
      .post('/sign-on')
      .type('form')
      .send({ userId: 'x'.repeat(40_000) })
    assert.equal(response.status, 413)
    assert.match(pageText(response.text), /What you sent is too large/)
  })

  it('hides the details of an unexpected failure', async () => {
    const broken = express()
    setUpViews(broken, { helpPhone: '1-800-555-0100 (TTY 711)', advicePhone: '1-800-555-0199' })
    broken.use(withLayout)
    broken.get('/boom', () => {
      throw new Error('secret internal detail at /srv/app.ts:42')
    })
    broken.use(errorHandler(createLogger('silent')))
    const response = await supertest(broken).get('/boom').expect(500)
    assert.match(pageText(response.text), /Sorry, there is a problem with the service/)
    assert.doesNotMatch(response.text, /secret internal detail|app\.ts|Error:/)
  })

  it('sends a request id with every response', async () => {
    const response = await supertest(app).get('/healthz')
    assert.match(String(response.headers['x-request-id']), /^[0-9a-f-]{36}$/)
  })
})
