import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import fs from 'node:fs'
import path from 'node:path'
import * as cheerio from 'cheerio'
import supertest from 'supertest'
import { publicDirectory } from '../../src/platform/views'
import { signedOnAgent, useTestApp } from '../helpers/app'
import { describeHtmlErrors, htmlErrors } from '../helpers/html-checker'

const hashOf = (file: string) =>
  createHash('sha256')
    .update(fs.readFileSync(path.join(publicDirectory, file)))
    .digest('hex')
    .slice(0, 10)

/** Reads an .ico file's directory: each image's width and height (0 means 256). */
function iconSizes(body: Buffer): number[] {
  assert.equal(body.readUInt16LE(0), 0, 'reserved word')
  assert.equal(body.readUInt16LE(2), 1, 'type 1: an icon')
  const count = body.readUInt16LE(4)
  return Array.from({ length: count }, (_unused, index) => body[6 + index * 16])
}

describe('page markup and the static files', function () {
  // One test runs the W3C checker (a Java start, a few seconds).
  this.timeout(60_000)
  const { app } = useTestApp()

  describe('the member tools menu', () => {
    it('marks the page open with aria-current="page", the value itself, not "page" in quote marks', async () => {
      const member = await signedOnAgent(app, 'alex.rivera')
      for (const [address, link] of [
        ['/home', 'Home'],
        ['/labs', 'Lab results'],
        ['/family', 'Family and shared access'],
      ]) {
        const $ = cheerio.load((await member.get(address).expect(200)).text)
        const current = $('nav[aria-label="Member tools"] a[aria-current]')
        assert.equal(current.length, 1, address)
        assert.equal(current.text().trim(), link)
        assert.equal(current.attr('aria-current'), 'page', address)
      }
    })

    it('is valid HTML to the W3C checker on a signed-on member page and a public one', async () => {
      const member = await signedOnAgent(app, 'alex.rivera')
      const pages = [
        { url: '/home', html: (await member.get('/home').expect(200)).text },
        { url: '/labs', html: (await member.get('/labs').expect(200)).text },
        { url: '/', html: (await supertest(app).get('/').expect(200)).text },
      ]
      const errors = await htmlErrors(pages)
      assert.equal(errors.length, 0, describeHtmlErrors(errors))
    })

    it('would be caught by the checker: the escaped value the menu used to have is an error it names', async () => {
      const html = (await (await signedOnAgent(app, 'alex.rivera')).get('/home').expect(200)).text
      const broken = html.replace('aria-current="page"', 'aria-current="&#34;page&#34;"')
      const errors = await htmlErrors([{ url: '/home', html: broken }])
      assert.deepEqual(
        errors.map((error) => [error.url, error.message]),
        [['/home', 'Bad value “"page"” for attribute “aria-current” on element “a”.']],
      )
    })
  })

  describe('headings', () => {
    it('put each signed-on page’s h1 before any other heading, the hidden idle warning’s included', async () => {
      for (const [userId, home] of [
        ['alex.rivera', '/home'],
        ['office.nurse', '/office'],
        ['ops.admin', '/ops'],
        ['mailroom.clerk', '/mailroom'],
      ]) {
        const agent = await signedOnAgent(app, userId)
        const $ = cheerio.load((await agent.get(home).expect(200)).text)
        assert.equal($('#session-warning').length, 1, `${userId}'s page has the idle warning`)
        const headings = $('h1, h2, h3, h4, h5, h6')
          .map((_i, heading) => heading.tagName)
          .get()
        assert.equal(headings[0], 'h1', `${userId}'s first heading is ${headings[0]}`)
      }
    })
  })

  describe('the favicon', () => {
    it('is a real icon at /favicon.ico, in 16, 32 and 48 px, however the address is spelt', async () => {
      for (const address of ['/favicon.ico', '/FAVICON.ICO', '/favicon.ico/']) {
        const response = await supertest(app)
          .get(address)
          .buffer(true)
          .parse((res, done) => {
            const chunks: Buffer[] = []
            res.on('data', (chunk: Buffer) => chunks.push(chunk))
            res.on('end', () => done(null, Buffer.concat(chunks)))
          })
          .expect(200)
        assert.equal(response.headers['content-type'], 'image/x-icon')
        assert.deepEqual(iconSizes(response.body as Buffer), [16, 32, 48])
        assert.match(String(response.headers['cache-control']), /^public, max-age=\d+$/)
      }
    })

    it('is linked from every page by its hashed name', async () => {
      const $ = cheerio.load((await supertest(app).get('/sign-on').expect(200)).text)
      assert.equal($('link[rel="icon"]').attr('href'), `/public/favicon.${hashOf('favicon.ico')}.ico`)
    })
  })

  describe('the static files', () => {
    const files = [
      { plain: '/public/css/portal.css', type: /^text\/css/ },
      { plain: '/public/css/print.css', type: /^text\/css/ },
      { plain: '/public/js/session-timeout.js', type: /^(text|application)\/javascript/ },
    ]
    const hashed = (plain: string) => plain.replace(/\.(\w+)$/, `.${hashOf(plain.slice('/public/'.length))}.$1`)

    it('are linked by names that carry a hash of their content, and the pages themselves stay no-store', async () => {
      const member = await signedOnAgent(app, 'alex.rivera')
      const page = await member.get('/home').expect(200)
      assert.match(String(page.headers['cache-control']), /no-store/)
      const $ = cheerio.load(page.text)
      const linked = [
        ...$('link[rel="stylesheet"]').map((_i, link) => $(link).attr('href')),
        ...$('script[src]').map((_i, script) => $(script).attr('src')),
      ]
      assert.deepEqual(
        linked,
        files.map((file) => hashed(file.plain)),
      )
    })

    it('are cached for a year as immutable under their hashed names, with exactly the file’s bytes', async () => {
      for (const file of files) {
        const response = await supertest(app).get(hashed(file.plain)).expect(200)
        assert.equal(response.headers['cache-control'], 'public, max-age=31536000, immutable')
        assert.match(String(response.headers['content-type']), file.type)
        assert.equal(response.text, fs.readFileSync(path.join(publicDirectory, file.plain.slice(8)), 'utf8'))
      }
    })

    it('answer the same however the address is spelt: case of the folder, a trailing slash, encoded characters', async () => {
      const address = hashed('/public/css/portal.css')
      for (const spelling of [
        address.replace('/public/', '/PUBLIC/'),
        `${address}/`,
        address.replace('portal.', 'portal%2E'),
        address.replace('/css/', '/css%2F'),
      ]) {
        const response = await supertest(app).get(spelling).expect(200)
        assert.equal(response.headers['cache-control'], 'public, max-age=31536000, immutable', spelling)
      }
      for (const spelling of ['/public/css/portal.css/', '/Public/css/portal.css', '/public/css%2Fportal.css'])
        await supertest(app).get(spelling).expect(200)
    })

    it('still answer to their plain names, revalidated rather than kept', async () => {
      for (const file of files) {
        const response = await supertest(app).get(file.plain).expect(200)
        assert.match(String(response.headers['cache-control']), /^public, max-age=0$/)
        assert.ok(response.headers.etag, `${file.plain} can be revalidated`)
      }
    })

    it('send an earlier version’s hashed name on to the current file, a redirect no cache keeps', async () => {
      const response = await supertest(app).get('/public/css/portal.0123456789.css').expect(302)
      assert.equal(response.headers.location, hashed('/public/css/portal.css'))
      assert.equal(response.headers['cache-control'], 'no-cache')
    })

    it('answer 404 for a hashed name of no file and for a path that climbs out of the folder', async () => {
      await supertest(app).get('/public/css/nothing.0123456789.css').expect(404)
      await supertest(app).get('/public/..%2f..%2fpackage.0123456789.json').expect(404)
      await supertest(app).get('/public/%2e%2e/package.json').expect(404)
    })
  })

  describe('the queue dashboard', () => {
    it('loads nothing from another site, and its policy allows no other site', async () => {
      const ops = await signedOnAgent(app, 'ops.admin')
      const page = await ops.get('/ops/queues').expect(200)
      const $ = cheerio.load(page.text)
      const addresses = [
        ...$('link[href]').map((_i, link) => $(link).attr('href')),
        ...$('script[src]').map((_i, script) => $(script).attr('src')),
      ]
      assert.ok(
        addresses.some((address) => address.startsWith('static/')),
        'the dashboard loads its own files',
      )
      assert.deepEqual(
        addresses.filter((address) => /^(https?:)?\/\//.test(address)),
        [],
      )
      assert.doesNotMatch(page.text, /fonts\.googleapis|fonts\.gstatic/)
      const policy = String(page.headers['content-security-policy'])
      assert.doesNotMatch(policy, /https?:|\*/)
    })
  })
})
