import { Request, Response, Router } from 'express'
import { z } from 'zod'
import { requireSignedOn } from '../platform/access'
import { errorSummary, FormError, parseForm, password } from '../platform/forms'
import { message } from '../platform/i18n'
import type { Services } from '../services'
import { relyingPartyFor } from './passkeys'
import { CodeRefusedError, describeBrowser, maskEmail } from './service'
import { browserLabel, codeMessages, methodLabel, unsentCodeMessage } from './messages'
import { typedCode } from './sign-on-routes'
import { completeSignOn, livePending } from './sign-on-flow'

declare module 'express-session' {
  interface SessionData {
    /** The authenticator app key being set up, sealed (never in clear, even in the session store). */
    appSetup?: { sealed: string; startedAt: number }
  }
}

const currentPasswordForm = z.object({ currentPassword: password('twoStep:fields.currentPassword', { max: 1024 }) })
const wrongCurrentPassword: FormError = { href: '#currentPassword', text: 'twoStep:errors.wrongCurrentPassword' }
const lastMethod = 'twoStep:errors.lastMethod'

/**
 * Setting 2-step verification up: during a sign-on that requires it (staff, or members when the plan says
 * so) and from account settings; removing a method, new recovery codes and remembered browsers.
 */
export function twoStepSetupRoutes(
  services: Pick<Services, 'twoStep' | 'signOn' | 'sessions' | 'clock' | 'credentials' | 'passkeys' | 'config'>,
) {
  const { twoStep, clock, credentials, passkeys, config } = services
  const router = Router()

  async function appSetup(req: Request, account: string) {
    const existing = req.session.appSetup
    if (existing && clock().getTime() - existing.startedAt < 30 * 60_000)
      return { sealed: existing.sealed, ...(await twoStep.appSetupFromSealed(existing.sealed, account)) }
    const started = await twoStep.startAppSetup(account)
    req.session.appSetup = { sealed: started.sealed, startedAt: clock().getTime() }
    return started
  }

  async function renderApp(
    req: Request,
    res: Response,
    page: { action: string; required: boolean; account: string; errors?: FormError[] },
  ) {
    const setup = await appSetup(req, page.account)
    const overview = await twoStep.overview(req.session.pendingSignOn?.user.id ?? req.session.user!.id)
    res.status(page.errors?.length ? 400 : 200).render('two-step/set-up-app', {
      title: page.required ? 'twoStep:setUpApp.requiredTitle' : 'twoStep:setUpApp.addTitle',
      required: page.required,
      action: page.action,
      qrSvg: setup.qrSvg,
      groupedKey: setup.groupedKey,
      emailInstead: page.required && overview.verifiedEmail ? maskEmail(overview.verifiedEmail) : undefined,
      errors: page.errors ?? [],
    })
  }

  async function confirmApp(req: Request, userId: number): Promise<FormError[]> {
    const { code, errors } = typedCode(req.body)
    if (errors.length > 0) return errors
    const sealed = req.session.appSetup?.sealed
    if (!sealed || !(await twoStep.confirmApp(userId, sealed, code, 'Authenticator app')))
      return [{ href: '#oneTimeCode', text: codeMessages.wrong }]
    delete req.session.appSetup
    return []
  }

  const showCodes = (res: Response, codes: string[], action?: string) =>
    res.render('two-step/recovery-codes', { title: 'twoStep:recoveryCodes.title', codes, action })

  // During sign-on: nothing else opens until a method is set up and the recovery codes were shown.
  router.get('/sign-on/set-up', async (req, res) => {
    const pending = livePending(req, clock)
    if (!pending || pending.mode !== 'set-up') return res.redirect(303, '/sign-on')
    await renderApp(req, res, { action: '/sign-on/set-up', required: true, account: pending.user.userId })
  })

  router.post('/sign-on/set-up', async (req, res) => {
    const pending = livePending(req, clock)
    if (!pending || pending.mode !== 'set-up') return res.redirect(303, '/sign-on')
    const errors = await confirmApp(req, pending.user.id)
    if (errors.length > 0)
      return renderApp(req, res, { action: '/sign-on/set-up', required: true, account: pending.user.userId, errors })
    pending.setUp = true
    showCodes(res, await twoStep.newRecoveryCodes(pending.user.id, { notify: false }), '/sign-on/set-up/done')
  })

  router.post('/sign-on/set-up/done', async (req, res) => {
    const pending = livePending(req, clock)
    if (!pending?.setUp) return res.redirect(303, '/sign-on')
    delete req.session.pendingSignOn
    await completeSignOn(req, res, services, {
      ...pending,
      attempt: { ip: req.ip ?? 'unknown', userAgent: req.get('user-agent') },
      method: 'password+app (set up)',
    })
  })

  // Account settings, for every role: members, office, ops and mailroom staff all manage their own.
  router.use('/account/two-step', requireSignedOn)
  const user = (req: Request) => req.session.user!

  async function checkPasswordAndCode(req: Request): Promise<FormError[]> {
    const form = parseForm(currentPasswordForm, req.body)
    const errors: FormError[] = form.ok
      ? (await credentials.checkPassword(user(req).id, form.value.currentPassword))
        ? []
        : [wrongCurrentPassword]
      : form.errors
    const { code, errors: codeErrors } = typedCode(req.body)
    if (codeErrors.length > 0) return [...errors, ...codeErrors]
    if (errors.length > 0) return errors
    try {
      await twoStep.verifyAny(user(req).id, code)
      return []
    } catch (error) {
      if (!(error instanceof CodeRefusedError)) throw error
      return errorSummary(error.problems)
    }
  }

  router.get('/account/two-step', async (req, res) => {
    const notice = req.session.notice
    delete req.session.notice
    const overview = await twoStep.overview(user(req).id)
    // The passkey ceremony's options, for the page's script; without script they are never used.
    const options = await passkeys.registrationOptions(relyingPartyFor(req, config), user(req))
    req.session.passkeyChallenge = options.challenge
    res.render('two-step/settings', {
      title: 'twoStep:settings.title',
      passkeyOptions: JSON.stringify(options),
      notice,
      overview: { ...overview, methods: overview.methods.map((method) => ({ ...method, label: methodLabel(method) })) },
      maskedEmail: overview.verifiedEmail ? maskEmail(overview.verifiedEmail) : undefined,
      browsers: (await twoStep.rememberedBrowsers(user(req).id)).map((browser) => ({
        ...browser,
        label: browserLabel(browser.label),
      })),
    })
  })

  router.get('/account/two-step/app', (req, res) =>
    renderApp(req, res, { action: '/account/two-step/app', required: false, account: user(req).userId }),
  )

  router.post('/account/two-step/app', async (req, res) => {
    const errors = await confirmApp(req, user(req).id)
    if (errors.length > 0)
      return renderApp(req, res, {
        action: '/account/two-step/app',
        required: false,
        account: user(req).userId,
        errors,
      })
    const overview = await twoStep.overview(user(req).id)
    // The first method comes with recovery codes, for the day the phone is lost.
    if (overview.recoveryCodesIssued === 0)
      return showCodes(res, await twoStep.newRecoveryCodes(user(req).id, { notify: false }))
    req.session.notice = 'twoStep:notices.appAdded'
    res.redirect(303, '/account/two-step')
  })

  router.post('/account/two-step/email', async (req, res) => {
    const sent = await twoStep.sendEmailCode(user(req).id)
    if (sent === 'no-address') {
      req.session.notice = 'twoStep:notices.confirmEmailFirst'
      return res.redirect(303, '/account/two-step')
    }
    req.session.notice = sent === 'sent' ? undefined : unsentCodeMessage(sent)
    res.redirect(303, '/account/two-step/email')
  })

  const renderEmail = async (req: Request, res: Response, errors: FormError[] = []) => {
    const overview = await twoStep.overview(user(req).id)
    const notice = req.session.notice
    delete req.session.notice
    res.status(errors.length > 0 ? 400 : 200).render('two-step/set-up-email', {
      title: 'twoStep:setUpEmail.title',
      sentTo: maskEmail(overview.verifiedEmail ?? ''),
      notice,
      errors,
    })
  }

  router.get('/account/two-step/email', (req, res) => renderEmail(req, res))

  router.post('/account/two-step/email/confirm', async (req, res) => {
    const { code, errors } = typedCode(req.body)
    if (errors.length > 0) return renderEmail(req, res, errors)
    try {
      await twoStep.confirmEmailMethod(user(req).id, code)
    } catch (error) {
      if (!(error instanceof CodeRefusedError)) throw error
      return renderEmail(req, res, errorSummary(error.problems))
    }
    const overview = await twoStep.overview(user(req).id)
    if (overview.recoveryCodesIssued === 0)
      return showCodes(res, await twoStep.newRecoveryCodes(user(req).id, { notify: false }))
    req.session.notice = 'twoStep:notices.emailTurnedOn'
    res.redirect(303, '/account/two-step')
  })

  const renderConfirm = async (
    req: Request,
    res: Response,
    page: { title: string; action: string; button: string; errors?: FormError[] },
  ) => {
    const overview = await twoStep.overview(user(req).id)
    res.status(page.errors?.length ? 400 : 200).render('two-step/confirm', {
      ...page,
      hasEmail: overview.hasEmail,
      errors: page.errors ?? [],
    })
  }

  const methodIdOf = (req: Request) => (/^\d{1,9}$/.test(String(req.params.id)) ? Number(req.params.id) : undefined)

  router.get('/account/two-step/methods/:id/remove', async (req, res) => {
    const id = methodIdOf(req)
    const methods = await twoStep.methods(user(req).id)
    const method = methods.find((candidate) => candidate.id === id)
    if (!method) return res.status(404).render('pages/not-found', { title: 'common:pages.notFound.title' })
    await renderConfirm(req, res, {
      title: message('twoStep:confirm.removeTitle', { method: methodLabel(method) }),
      action: `/account/two-step/methods/${method.id}/remove`,
      button: 'twoStep:confirm.remove',
    })
  })

  router.post('/account/two-step/methods/:id/remove', async (req, res) => {
    const id = methodIdOf(req)
    const methods = await twoStep.methods(user(req).id)
    const method = methods.find((candidate) => candidate.id === id)
    if (!method) return res.status(404).render('pages/not-found', { title: 'common:pages.notFound.title' })
    const page = {
      title: message('twoStep:confirm.removeTitle', { method: methodLabel(method) }),
      action: `/account/two-step/methods/${method.id}/remove`,
      button: 'twoStep:confirm.remove',
    }
    if (methods.length === 1 && twoStep.isRequired(user(req).role))
      return renderConfirm(req, res, { ...page, errors: [{ href: '#currentPassword', text: lastMethod }] })
    const errors = await checkPasswordAndCode(req)
    if (errors.length > 0) return renderConfirm(req, res, { ...page, errors })
    await twoStep.removeMethod(user(req).id, method.id, req.sessionID)
    req.session.notice = message('twoStep:notices.methodRemoved', { method: methodLabel(method) })
    res.redirect(303, '/account/two-step')
  })

  const codesPage = {
    title: 'twoStep:confirm.newCodesTitle',
    action: '/account/two-step/recovery-codes',
    button: 'twoStep:confirm.newCodes',
  }
  router.get('/account/two-step/recovery-codes', (req, res) => renderConfirm(req, res, codesPage))

  router.post('/account/two-step/recovery-codes', async (req, res) => {
    const errors = await checkPasswordAndCode(req)
    if (errors.length > 0) return renderConfirm(req, res, { ...codesPage, errors })
    showCodes(res, await twoStep.newRecoveryCodes(user(req).id, { notify: true }))
  })

  // An email code for the confirm pages (removing a method, new recovery codes), for members whose method it is.
  router.post('/account/two-step/send-code', async (req, res) => {
    const sent = await twoStep.sendEmailCode(user(req).id)
    const back =
      typeof req.body?.back === 'string' && req.body.back.startsWith('/account/two-step/')
        ? req.body.back
        : '/account/two-step'
    req.session.notice = sent === 'sent' ? 'twoStep:notices.codeEmailed' : unsentCodeMessage(sent)
    res.redirect(303, back)
  })

  router.post('/account/two-step/passkeys', async (req, res) => {
    const challenge = req.session.passkeyChallenge
    delete req.session.passkeyChallenge
    const added =
      challenge !== undefined &&
      (await passkeys.register(
        relyingPartyFor(req, config),
        user(req).id,
        challenge,
        req.body?.credential,
        `Passkey (${describeBrowser(req.get('user-agent'))})`,
      ))
    if (added && (await twoStep.overview(user(req).id)).recoveryCodesIssued === 0)
      return showCodes(res, await twoStep.newRecoveryCodes(user(req).id, { notify: false }))
    req.session.notice = added ? 'twoStep:notices.passkeyAdded' : 'twoStep:notices.passkeyNotAdded'
    res.redirect(303, '/account/two-step')
  })

  router.post('/account/two-step/browsers/:id/forget', async (req, res) => {
    const id = methodIdOf(req)
    if (id !== undefined) await twoStep.forgetBrowsers(user(req).id, id)
    req.session.notice = 'twoStep:notices.browserForgotten'
    res.redirect(303, '/account/two-step')
  })

  router.post('/account/two-step/browsers/forget', async (req, res) => {
    await twoStep.forgetBrowsers(user(req).id)
    req.session.notice = 'twoStep:notices.everyBrowserForgotten'
    res.redirect(303, '/account/two-step')
  })

  router.post('/account/two-step/not-now', async (req, res) => {
    await twoStep.notNow(user(req).id)
    res.redirect(303, '/home')
  })

  return router
}
