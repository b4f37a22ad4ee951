import puppeteer, { Browser } from 'puppeteer-core'
import type { Logger } from 'pino'
import { type DocumentMetadata, withDocumentMetadata } from './pdf-metadata'

export interface PdfOptions {
  format?: 'Letter' | 'Legal'
  /** Page margins (CSS lengths); a letter for a window envelope sets its own. */
  margin?: { top: string; right: string; bottom: string; left: string }
  /** Seconds a page may take to lay out before the render gives up. */
  timeoutSeconds?: number
  /** The document's title, language and date, written as PDF/UA asks (see `withDocumentMetadata`). */
  metadata?: DocumentMetadata
}

// This machine has no internet and the pages are our own HTML: switch off everything that phones home.
const chromiumFlags = [
  '--headless',
  '--no-sandbox',
  '--disable-gpu',
  '--no-first-run',
  '--disable-background-networking',
  '--disable-component-update',
  '--disable-sync',
]

/**
 * HTML in, PDF out. One Chromium per process, launched on first use and shared by every render (each gets its
 * own page); it is launched again if it dies. The HTML must be self-contained: scripts never run and nothing
 * is fetched from this site.
 */
export class PdfRenderer {
  private browser: Promise<Browser> | undefined
  private active = 0
  private readonly waiting: (() => void)[] = []

  constructor(
    private readonly chromiumPath: string,
    private readonly logger?: Logger,
    // A few pages at a time keeps memory bounded when a batch asks for many at once.
    private readonly maxPages = 4,
  ) {}

  async render(html: string, options: PdfOptions = {}): Promise<Buffer> {
    await this.takeSlot()
    try {
      const browser = await this.launched()
      const page = await browser.newPage()
      try {
        await page.setJavaScriptEnabled(false)
        const timeout = (options.timeoutSeconds ?? 30) * 1000
        await page.setContent(html, { waitUntil: 'load', timeout })
        const pdf = await page.pdf({
          format: options.format ?? 'Letter',
          margin: options.margin ?? { top: '0.6in', right: '0.6in', bottom: '0.6in', left: '0.6in' },
          printBackground: true,
          // Tagged: headings, paragraphs, lists and tables in a structure tree a screen reader follows (PDF/UA).
          tagged: true,
          timeout,
        })
        return options.metadata ? await withDocumentMetadata(pdf, options.metadata) : Buffer.from(pdf)
      } finally {
        await page.close().catch(() => undefined)
      }
    } finally {
      this.releaseSlot()
    }
  }

  async close(): Promise<void> {
    const browser = this.browser
    this.browser = undefined
    if (browser) await (await browser.catch(() => undefined))?.close()
  }

  private launched(): Promise<Browser> {
    if (!this.browser) {
      // A pipe rather than a port: when this process dies, even by SIGKILL, Chromium sees the pipe close and exits.
      const launching = puppeteer.launch({
        executablePath: this.chromiumPath,
        headless: true,
        pipe: true,
        args: chromiumFlags,
      })
      this.browser = launching
      launching.then(
        (browser) =>
          browser.once('disconnected', () => {
            if (this.browser === launching) this.browser = undefined
          }),
        (error: unknown) => {
          this.logger?.error({ err: error }, 'could not start Chromium for PDFs')
          if (this.browser === launching) this.browser = undefined
        },
      )
    }
    return this.browser
  }

  private async takeSlot(): Promise<void> {
    if (this.active < this.maxPages) {
      this.active += 1
      return
    }
    // The slot is handed over by releaseSlot, so active stays counted.
    await new Promise<void>((resolve) => this.waiting.push(resolve))
  }

  private releaseSlot(): void {
    const next = this.waiting.shift()
    if (next) next()
    else this.active -= 1
  }
}
