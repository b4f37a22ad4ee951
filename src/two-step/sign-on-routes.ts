import { Request, Response, Router } from 'express'
import { AddressBlockedError, SignOnRefusedError } from '../accounts/service'
import { errorSummary, type FormError } from '../platform/forms'
import { message } from '../platform/i18n'
import type { Services } from '../services'
import { relyingPartyFor } from './passkeys'
import { type CodeAccepted, CodeRefusedError, maskEmail } from './service'
import { codeMessages, unsentCodeMessage } from './messages'
import { completeSignOn, livePending, PendingSignOn, SecondStepMethod } from './sign-on-flow'

const passkeyRefused = 'twoStep:errors.passkeyRefused'
const startAgain = 'twoStep:notices.startAgain'

export const methodPages: Record<SecondStepMethod, { title: string; hint: string }> = {
  app: { title: 'twoStep:verify.app.title', hint: 'twoStep:verify.app.hint' },
  email: { title: 'twoStep:verify.email.title', hint: 'twoStep:verify.email.hint' },
  'recovery-code': { title: 'twoStep:verify.recoveryCode.title', hint: 'twoStep:verify.recoveryCode.hint' },
  passkey: { title: 'twoStep:verify.passkey.title', hint: '' },
}

/** The code field: what was typed, bounded; spaces and dashes are the member's business. */
export function typedCode(body: unknown): { code: string; errors: FormError[] } {
  const raw = (body as Record<string, unknown> | undefined)?.oneTimeCode
  const code = typeof raw === 'string' ? raw.trim() : ''
  if (code === '') return { code, errors: [{ href: '#oneTimeCode', text: codeMessages.missing }] }
  if (code.length > 20) return { code, errors: [{ href: '#oneTimeCode', text: codeMessages.tooLong }] }
  return { code, errors: [] }
}

const chosenMethod = (value: unknown): SecondStepMethod | undefined =>
  typeof value === 'string' && value in methodPages ? (value as SecondStepMethod) : undefined

/**
 * The second page of sign-on: a code from one of the account's methods, "use another way", and "remember this
 * browser". A wrong code counts against the account and the address exactly as a wrong password does.
 */
export function secondStepRoutes(
  services: Pick<Services, 'twoStep' | 'signOn' | 'sessions' | 'clock' | 'config' | 'passkeys'>,
) {
  const { twoStep, signOn, clock, passkeys, config } = services
  const router = Router()

  const pendingOr = (req: Request, res: Response): PendingSignOn | undefined => {
    const pending = livePending(req, clock)
    if (!pending) {
      req.session.notice = startAgain
      res.redirect(303, '/sign-on')
    }
    return pending
  }

  const attemptOf = (req: Request) => ({ ip: req.ip ?? 'unknown', userAgent: req.get('user-agent') })

  async function renderVerify(req: Request, res: Response, pending: PendingSignOn, errors: FormError[] = []) {
    const overview = await twoStep.overview(pending.user.id)
    const method = pending.method ?? 'recovery-code'
    const notice = req.session.notice
    delete req.session.notice
    let passkeyOptions: string | undefined
    if (method === 'passkey') {
      const options = await passkeys.authenticationOptions(relyingPartyFor(req, config), pending.user.id)
      req.session.passkeyChallenge = options.challenge
      passkeyOptions = JSON.stringify(options)
    }
    res.status(errors.length > 0 ? (res.statusCode === 200 ? 400 : res.statusCode) : 200).render('two-step/verify', {
      title: methodPages[method].title,
      method,
      hint: methodPages[method].hint,
      sentTo: method === 'email' && overview.verifiedEmail ? maskEmail(overview.verifiedEmail) : undefined,
      notice,
      remember: req.body?.remember === 'yes',
      passkeyOptions,
      errors,
    })
  }

  router.get('/sign-on/verify', async (req, res) => {
    const pending = pendingOr(req, res)
    if (!pending) return
    if (pending.mode === 'set-up') return res.redirect(303, '/sign-on/set-up')
    const overview = await twoStep.overview(pending.user.id)
    // "Use another way" links here with the method chosen; only one the account has counts.
    const asked = chosenMethod(req.query.with)
    const available = (method: SecondStepMethod) =>
      ({
        app: overview.hasApp,
        email: overview.hasEmail,
        passkey: overview.hasPasskey,
        'recovery-code': overview.recoveryCodesIssued > 0,
      })[method]
    if (asked && available(asked) && asked !== 'email') pending.method = asked
    await renderVerify(req, res, pending)
  })

  router.post('/sign-on/verify', async (req, res) => {
    const pending = pendingOr(req, res)
    if (!pending) return
    const method = pending.method
    if (!method || method === 'passkey') return res.redirect(303, '/sign-on/verify')
    const attempt = attemptOf(req)
    if (await refusedAfter(req, res, () => signOn.checkSecondStepAllowed(pending.user, attempt.ip))) return
    const { code, errors } = typedCode(req.body)
    if (errors.length > 0) return renderVerify(req, res, pending, errors)
    let outcome: CodeAccepted
    try {
      outcome = await twoStep.verify(pending.user.id, method, code)
    } catch (error) {
      if (!(error instanceof CodeRefusedError)) throw error
      if (await refusedAfter(req, res, () => signOn.secondStepFailed(pending.user, attempt, method))) return
      res.status(401)
      return renderVerify(req, res, pending, errorSummary(error.problems))
    }
    delete req.session.pendingSignOn
    // After a recovery code, the settings page: it says how many are left and offers new ones.
    const left = outcome.recoveryCodesLeft ?? 0
    const recovery = outcome.method === 'recovery-code'
    await completeSignOn(req, res, services, {
      ...pending,
      returnTo: recovery ? '/account/two-step' : pending.returnTo,
      attempt,
      method: `password+${outcome.method}`,
      remember: req.body?.remember === 'yes',
      notice: recovery
        ? left === 0
          ? 'twoStep:notices.lastRecoveryCode'
          : message(left <= 3 ? 'twoStep:notices.recoveryCodeUsedSoon' : 'twoStep:notices.recoveryCodeUsed', {
              count: left,
            })
        : undefined,
    })
  })

  // The browser's passkey answer, posted by the page's script in an ordinary form.
  router.post('/sign-on/passkey', async (req, res) => {
    const pending = pendingOr(req, res)
    if (!pending) return
    const attempt = attemptOf(req)
    if (await refusedAfter(req, res, () => signOn.checkSecondStepAllowed(pending.user, attempt.ip))) return
    const challenge = req.session.passkeyChallenge
    delete req.session.passkeyChallenge
    const accepted =
      challenge !== undefined &&
      (await passkeys.authenticate(relyingPartyFor(req, config), pending.user.id, challenge, req.body?.credential))
    if (!accepted) {
      if (await refusedAfter(req, res, () => signOn.secondStepFailed(pending.user, attempt, 'passkey'))) return
      pending.method = 'passkey'
      res.status(401)
      return renderVerify(req, res, pending, [{ href: '#main-content', text: passkeyRefused }])
    }
    delete req.session.pendingSignOn
    await completeSignOn(req, res, services, { ...pending, attempt, method: 'password+passkey' })
  })

  /**
   * Runs a throttle check; when it refuses the sign-on (the account locked, the address blocked), the pending
   * sign-on ends and the sign-on page says why. True when it refused.
   */
  async function refusedAfter(req: Request, res: Response, check: () => Promise<void>): Promise<boolean> {
    try {
      await check()
      return false
    } catch (error) {
      if (!(error instanceof SignOnRefusedError || error instanceof AddressBlockedError)) throw error
      delete req.session.pendingSignOn
      res.status(error.status).render('accounts/sign-on', {
        title: 'twoStep:verify.signOnTitle',
        values: {},
        errors: errorSummary(error.problems),
      })
      return true
    }
  }

  router.get('/sign-on/verify/other', async (req, res) => {
    const pending = pendingOr(req, res)
    if (!pending) return
    const overview = await twoStep.overview(pending.user.id)
    res.render('two-step/other-ways', {
      title: 'twoStep:otherWays.title',
      overview,
      maskedEmail: overview.verifiedEmail ? maskEmail(overview.verifiedEmail) : undefined,
      errors: [],
    })
  })

  router.post('/sign-on/verify/email', async (req, res) => {
    const pending = pendingOr(req, res)
    if (!pending) return
    const overview = await twoStep.overview(pending.user.id)
    if (!overview.hasEmail) return res.redirect(303, '/sign-on/verify/other')
    const sent = await twoStep.sendEmailCode(pending.user.id)
    pending.method = 'email'
    req.session.notice =
      sent === 'sent'
        ? message('twoStep:notices.codeSentTo', { address: maskEmail(overview.verifiedEmail ?? '') })
        : unsentCodeMessage(sent)
    res.redirect(303, '/sign-on/verify')
  })

  router.post('/sign-on/cancel', (req, res) => {
    delete req.session.pendingSignOn
    res.redirect(303, '/sign-on')
  })

  return router
}
