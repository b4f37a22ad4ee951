import assert from 'node:assert/strict'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import { brokenLinks, headingAnchors, markdownFiles } from '../helpers/markdown-links'

const root = path.join(__dirname, '..', '..')

describe('the README and docs/', () => {
  it('keeps the README to what a newcomer reads first: at most 250 lines', () => {
    const lines = fs.readFileSync(path.join(root, 'README.md'), 'utf8').trimEnd().split('\n').length
    assert.ok(lines <= 250, `README.md has ${lines} lines; move the detail into docs/`)
  })

  it('has no relative link, or #anchor into a heading, that leads nowhere', () => {
    const files = markdownFiles(root)
    assert.ok(files.includes('docs/operations.md') && files.includes('docs/api.md'), `docs/ was not read: ${files}`)
    const report = brokenLinks(root).map((link) => `${link.file}:${link.line} ${link.target} — ${link.problem}`)
    assert.deepEqual(report, [])
  })

  it('gives every decision record its decision, why, and what was measured', () => {
    const records = fs.readdirSync(path.join(root, 'docs', 'decisions')).filter((name) => /^\d{4}-.+\.md$/.test(name))
    assert.ok(records.length >= 5, `only ${records.length} decision records`)
    for (const record of records) {
      const anchors = headingAnchors(fs.readFileSync(path.join(root, 'docs', 'decisions', record), 'utf8'))
      for (const part of ['decision', 'why', 'what-was-measured']) {
        assert.ok(anchors.has(part), `${record} has no "${part}" section`)
      }
    }
  })
})

describe('the docs link check', () => {
  let dir: string
  beforeEach(() => {
    dir = fs.mkdtempSync(path.join(os.tmpdir(), 'docs-links-'))
    fs.mkdirSync(path.join(dir, 'docs', 'product'), { recursive: true })
  })
  afterEach(() => fs.rmSync(dir, { recursive: true, force: true }))

  it('finds a missing file, a missing heading, a link out of the repository and an empty link, and nothing else', () => {
    fs.writeFileSync(
      path.join(dir, 'README.md'),
      [
        '# Portal',
        'Read [labs](docs/product/labs.md#when-results-appear-online-srclabsreleasets) and [the list](#where-to-read-on).',
        'Not [there](docs/product/missing.md), nor [this heading](docs/product/labs.md#no-such-heading).',
        'Never [the shared spec](../shared/SPEC.md), nor [nothing]().',
        'A [site](https://example.org/x.md) and `[code](nowhere.md)` are not checked.',
        '```sh',
        '[in a block](nowhere.md)',
        '```',
        '## Where to read on',
      ].join('\n'),
    )
    fs.writeFileSync(
      path.join(dir, 'docs', 'product', 'labs.md'),
      [
        '# Labs',
        '## When results appear online (`src/labs/release.ts`)',
        'Back to the [README](../../README.md#portal); [twice](#labs-1).',
        '## Labs',
      ].join('\n'),
    )
    const found = brokenLinks(dir).map((link) => [link.file, link.line, link.target, link.problem])
    assert.deepEqual(found, [
      ['README.md', 3, 'docs/product/missing.md', 'no such file'],
      [
        'README.md',
        3,
        'docs/product/labs.md#no-such-heading',
        'no heading with the anchor #no-such-heading in docs/product/labs.md',
      ],
      ['README.md', 4, '../shared/SPEC.md', 'leads outside the repository'],
      ['README.md', 4, '', 'empty link'],
    ])
  })
})
