import { execFile } from 'node:child_process'
import { createHash } from 'node:crypto'
import fs from 'node:fs'
import os from 'node:os'
import path from 'node:path'
import type { HTTPResponse, Page } from 'puppeteer-core'

// The W3C's Nu HTML Checker, as the vnu-jar package ships it.
const vnuJar = path.join(path.dirname(require.resolve('vnu-jar')), 'build', 'dist', 'vnu.jar')

export interface CollectedPage {
  url: string
  html: string
}

/** Every HTML page the browser tests were sent in this run, keyed by its content (see `collectedPages`). */
const collected = new Map<string, CollectedPage>()
const pending = new Set<Promise<void>>()
const watched = new WeakSet<Page>()

// Each copy of a page carries a fresh form token; without it, the same page visited twice is checked once.
const sameAnyToken = (html: string) => html.replace(/name="_csrf" value="[^"]*"/g, 'name="_csrf" value="token"')

function keepDocument(response: HTTPResponse): void {
  const request = response.request()
  if (!request.isNavigationRequest() || request.frame()?.parentFrame()) return
  if (response.status() >= 300 && response.status() < 400) return
  if (!/^text\/html\b/i.test(response.headers()['content-type'] ?? '')) return
  const url = response.url()
  // The body is read as soon as it arrives: once the tab has moved on, Chromium may have dropped it.
  const reading = response
    .text()
    .then((html) => {
      const page = { url, html: sameAnyToken(html) }
      collected.set(createHash('sha256').update(page.html).digest('hex'), page)
    })
    // A document the tab left before it finished (a form sent again at once) has no body to read.
    .catch(() => undefined)
    .finally(() => pending.delete(reading))
  pending.add(reading)
}

/** Keeps the HTML of every page this tab is sent, for `checkCollectedPages` at the end of the run. */
export function collectPageHtml(page: Page): void {
  if (watched.has(page)) return
  watched.add(page)
  page.on('response', keepDocument)
}

/** The pages kept so far, each different page once. */
export async function collectedPages(): Promise<CollectedPage[]> {
  await Promise.all([...pending])
  return [...collected.values()]
}

export interface HtmlError {
  url: string
  line: number
  message: string
  extract: string
}

interface VnuMessage {
  type: string
  url?: string
  lastLine?: number
  message: string
  extract?: string
}

/**
 * Runs the checker once over all the pages (one Java start, a file a page): a run per page would start the
 * Java VM each time and cost seconds apiece. Answers the errors, each with the address the page came from.
 */
export async function htmlErrors(pages: CollectedPage[]): Promise<HtmlError[]> {
  if (pages.length === 0) return []
  const directory = fs.mkdtempSync(path.join(os.tmpdir(), 'vnu-'))
  try {
    const files = pages.map((page, index) => {
      const file = path.join(directory, `page-${index}.html`)
      fs.writeFileSync(file, page.html)
      return file
    })
    const report = await new Promise<string>((resolve, reject) => {
      execFile(
        process.env.JAVA_PATH || 'java',
        ['-jar', vnuJar, '--errors-only', '--format', 'json', ...files],
        { maxBuffer: 64 * 1024 * 1024 },
        // The checker exits 1 when it found errors; its JSON report is on standard error either way.
        (error, _stdout, stderr) => {
          if (error && !stderr.trim().startsWith('{')) return reject(error)
          resolve(stderr)
        },
      )
    })
    const messages = (JSON.parse(report) as { messages: VnuMessage[] }).messages
    return messages
      .filter((message) => message.type === 'error' || message.type === 'non-document-error')
      .map((message) => {
        const index = Number(/page-(\d+)\.html$/.exec(message.url ?? '')?.[1])
        return {
          url: pages[index]?.url ?? message.url ?? '',
          line: message.lastLine ?? 0,
          message: message.message,
          extract: (message.extract ?? '').trim(),
        }
      })
  } finally {
    fs.rmSync(directory, { recursive: true, force: true })
  }
}

/** Errors in words, one a line, each page's address first; repeated errors are listed once with their count. */
export function describeHtmlErrors(errors: HtmlError[]): string {
  const counts = new Map<string, number>()
  for (const error of errors) {
    const line = `${new URL(error.url, 'http://x').pathname}: ${error.message} (line ${error.line}: ${error.extract})`
    counts.set(line, (counts.get(line) ?? 0) + 1)
  }
  return [...counts].map(([line, count]) => (count > 1 ? `${line} ×${count}` : line)).join('\n')
}
