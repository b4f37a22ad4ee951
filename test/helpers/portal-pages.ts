import type { Page } from 'puppeteer-core'
import { demoPassword } from '../../src/demo/seed'
import { fillByLabel, pressButton } from './browser'
import { identityAnswers, james, maria, mariaCredentials, mariaRecord } from './registration'

/**
 * A page to load: a path, or the `nth` link matching `link` on the page at `from` (for records whose ids
 * the seed chooses). `:batch` in a path is the id of the batch the test made.
 */
export type PortalPage = { path: string } | { from: string; link: string; nth?: number }

export interface PortalRole {
  role: string
  /** Signed on as this demo user for every page; none for the pages anyone can open. */
  userId?: string
  /** Signed on with the temporary password of a letter the test has mailed, so held on first sign-on. */
  mailedLetter?: true
  /** The registration steps as well (see `walkRegistration`). */
  registration?: true
  pages: PortalPage[]
}

const memberPages: PortalPage[] = [
  { path: '/home' },
  { path: '/labs' },
  { path: '/labs?page=2' },
  { path: '/labs?test=A1C' },
  { path: '/labs?test=nonsense' },
  { from: '/labs', link: 'main table a[href^="/labs/"]', nth: 0 },
  { from: '/labs', link: 'main table a[href^="/labs/"]', nth: 1 },
  { from: '/labs?test=A1C', link: 'main table a[href^="/labs/"]', nth: 0 },
  { from: '/labs?test=A1C', link: 'main table a[href^="/labs/"]', nth: 1 },
  { path: '/vaccinations' },
  { path: '/coverage' },
  { path: '/coverage/estimate' },
  { path: '/coverage/estimate?service=mri-ct&price=1250' },
  { path: '/coverage/estimate?service=hospital-stay&price=' },
  { path: '/coverage/estimate?service=&price=lots' },
  { path: '/coverage/claims' },
  { from: '/coverage/claims', link: 'main table a[href^="/coverage/claims/"]', nth: 0 },
  { path: '/prescriptions' },
  { path: '/prescriptions/refill' },
  { path: '/appointments' },
  { path: '/appointments/new' },
  { path: '/appointments/new/provider?visitType=office-visit' },
  { from: '/appointments', link: 'main table a[href^="/appointments/"]', nth: 0 },
  { from: '/appointments', link: 'main table a[href^="/appointments/"]', nth: 1 },
  { path: '/messages' },
  { path: '/messages/sent' },
  { path: '/messages/new' },
  { from: '/messages', link: 'main table a[href^="/messages/"]', nth: 0 },
  { path: '/family' },
  { path: '/family/grant' },
  { path: '/access-history' },
  { path: '/account' },
  { path: '/account/message-emails' },
  { path: '/account/lab-results' },
  { path: '/account/password' },
  { path: '/account/email' },
  { path: '/account/secret-questions' },
  { path: '/account/apps' },
  { path: '/no-such-page' },
]

/**
 * Every page of every role, kept in one place: the phone-width and title checks read this list, so a new
 * page is checked once it is added here. Registration steps need forms filled in: see `walkRegistration`.
 */
export const portalPages: PortalRole[] = [
  {
    role: 'visitor',
    registration: true,
    pages: [
      { path: '/' },
      { path: '/sign-on' },
      { path: '/signed-out' },
      { path: '/forgot-user-id' },
      { path: '/forgot-user-id/sent' },
      { path: '/forgot-password' },
      { path: '/forgot-password/sent' },
      { path: '/forgot-password/by-mail' },
      { path: '/forgot-password/by-mail/requested' },
      { path: '/verify-email?token=not-a-real-token' },
      { path: '/no-such-page' },
    ],
  },
  {
    role: 'member Alex',
    userId: 'alex.rivera',
    pages: [
      ...memberPages,
      { path: '/coverage/claims?page=2' },
      // A result under a clinician's hold and one under California's rule.
      { from: '/labs?test=MG', link: 'main table a[href^="/labs/"]', nth: 0 },
      { from: '/labs?test=SKINPATH', link: 'main table a[href^="/labs/"]', nth: 0 },
    ],
  },
  {
    role: 'member Pat',
    userId: 'pat.rivera',
    pages: [
      ...memberPages,
      { path: '/labs?test=EGFR' },
      { from: '/labs?test=EGFR', link: 'main table a[href^="/labs/"]', nth: 0 },
      { from: '/labs?test=PGX', link: 'main table a[href^="/labs/"]', nth: 0 },
    ],
  },
  { role: 'member with a mailed password', mailedLetter: true, pages: [{ path: '/first-sign-on' }] },
  {
    role: 'office',
    userId: 'office.nurse',
    pages: [
      { path: '/office' },
      { from: '/office', link: 'main table a[href^="/office/messages/"]', nth: 0 },
      { path: '/office/prescriptions' },
      { path: '/office/results' },
      { from: '/office/results', link: 'main table a[href^="/office/results/"]', nth: 0 },
      { from: '/office/results', link: 'main table a[href^="/office/results/"]', nth: 1 },
      { path: '/no-such-page' },
    ],
  },
  {
    role: 'office, another department',
    userId: 'office.geriatrics',
    pages: [
      { path: '/office' },
      { from: '/office', link: 'main table a[href^="/office/messages/"]', nth: 0 },
      { path: '/office/results' },
    ],
  },
  { role: 'ops', userId: 'ops.admin', pages: [{ path: '/ops' }, { path: '/home' }] },
  {
    role: 'mailroom',
    userId: 'mailroom.clerk',
    pages: [
      { path: '/mailroom' },
      { path: '/mailroom/batches/:batch' },
      { path: '/mailroom/batches/:batch/mailed' },
      { path: '/mailroom/returned' },
    ],
  },
]

export const staffPassword = demoPassword

/** Opens a page of the list; returns the address it ended on. */
export async function openPortalPage(page: Page, url: string, entry: PortalPage, batchId: string): Promise<string> {
  if ('path' in entry) {
    await page.goto(`${url}${entry.path.replace(':batch', batchId)}`)
    return entry.path
  }
  await page.goto(`${url}${entry.from}`)
  const hrefs = await page.$$eval(entry.link, (links) => links.map((link) => link.getAttribute('href') ?? ''))
  const href = hrefs[entry.nth ?? 0]
  if (!href) throw new Error(`No link ${entry.link} number ${entry.nth ?? 0} on ${entry.from}`)
  await page.goto(`${url}${href}`)
  return href
}

type Membership = typeof maria

const membershipLabels: Record<keyof Membership, string> = {
  firstName: 'First name',
  lastName: 'Last name',
  'birthDate-day': 'Day',
  'birthDate-month': 'Month',
  'birthDate-year': 'Year',
  mrn: 'Medical record number (MRN)',
}

/** Types a member's details into registration step 1, by the fields' labels. */
export async function fillMembership(page: Page, person: Membership): Promise<void> {
  for (const [field, label] of Object.entries(membershipLabels))
    await fillByLabel(page, label, person[field as keyof Membership])
}

async function stepsOneToThree(page: Page, url: string, person: Membership, visit: () => Promise<void>) {
  const userId = `${person.firstName}.${person.lastName}`.toLowerCase()
  await page.goto(`${url}/register`)
  await visit()
  await fillMembership(page, person)
  await pressButton(page, 'Continue')
  await visit()
  await page.click('#accept')
  await pressButton(page, 'Continue')
  await visit()
  await fillByLabel(page, 'User ID', userId)
  await fillByLabel(page, 'Email address', `${userId}@example.com`)
  await pressButton(page, 'Continue')
  await visit()
}

async function answerIdentityQuestions(page: Page, wrong: boolean) {
  const answers = identityAnswers(await page.content(), mariaRecord, wrong)
  for (const [name, value] of Object.entries(answers)) await page.click(`input[name="${name}"][value="${value}"]`)
  await pressButton(page, 'Continue')
}

async function forgetSession(page: Page) {
  const cdp = await page.createCDPSession()
  await cdp.send('Network.clearBrowserCookies')
  await cdp.detach()
}

/**
 * Walks a visitor through every registration page, calling `visit` on each: the steps with and without
 * errors, the identity questions failed three times, finishing by mail, and finishing online.
 */
export async function walkRegistration(page: Page, url: string, visit: () => Promise<void>): Promise<void> {
  await page.goto(`${url}/register`)
  await pressButton(page, 'Continue')
  await visit()

  await stepsOneToThree(page, url, maria, visit)
  for (let attempt = 0; attempt < 3; attempt++) {
    await answerIdentityQuestions(page, true)
    await visit()
  }
  await page.goto(`${url}/register/by-mail`)
  await visit()
  await pressButton(page, 'Continue')
  await visit()
  await page.click('#addressCurrent-no')
  await pressButton(page, 'Continue')
  await visit()

  await forgetSession(page)
  await stepsOneToThree(page, url, maria, visit)
  await answerIdentityQuestions(page, false)
  await visit()
  await pressButton(page, 'Create account')
  await visit()
  await fillByLabel(page, 'New password', mariaCredentials.password)
  await fillByLabel(page, 'Type the new password again', mariaCredentials.password)
  for (const n of [1, 2, 3] as const) {
    await page.select(`#question${n}`, mariaCredentials[`question${n}`])
    await page.type(`#answer${n}`, mariaCredentials[`answer${n}`])
  }
  await pressButton(page, 'Create account')
  await visit()

  await forgetSession(page)
  await stepsOneToThree(page, url, james, visit)
  await page.goto(`${url}/register/by-mail`)
  await page.click('#addressCurrent-yes')
  await pressButton(page, 'Continue')
  await visit()
  await forgetSession(page)
}
