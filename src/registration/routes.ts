import { Request, Response, Router } from 'express'
import { homeFor } from '../platform/access'
import { fieldError, parseForm } from '../platform/forms'
import { languageCookie, languageNames, languageOf, languages, message, type Language } from '../platform/i18n'
import { parseCredentialsForm, parseMembershipForm, userIdAndEmailForm } from '../accounts/forms'
import { MembershipThrottledError } from '../accounts/membership'
import { keepTypedValues, restoredValues } from '../platform/lapsed-forms'
import { secretQuestionList as questionList } from '../accounts/secret-questions'
import type { Services } from '../services'
import { AlreadyRegisteredError, identityAttemptsAllowed, termsVersion, UserIdTakenError } from './service'
import { redirectFor, registrationLapsed, StepPath, stepNumber, steps } from './wizard'

export const noMatchMessage = 'registration:noMatch'
const lapsedMessage = (minutes: number, keptTyping: boolean) =>
  message(keptTyping ? 'registration:lapsedKeptTyping' : 'registration:lapsed', { minutes })
const throttledMessage = (helpPhone: string) => message('registration:throttled', { phone: helpPhone })
const oneYearMs = 365 * 24 * 60 * 60 * 1000

/**
 * The language chosen at step 3: its radios start on the page's language, so a form sent without one (a script,
 * an old page) keeps that; a value that is not one of the offered codes is refused.
 */
function chosenLanguage(req: Request): { ok: true; value: Language } | { ok: false } {
  const value = (req.body as Record<string, unknown> | undefined)?.preferredLanguage
  if (value === undefined) return { ok: true, value: pageLanguage(req) }
  return (languages as readonly unknown[]).includes(value) ? { ok: true, value: value as Language } : { ok: false }
}

const pageLanguage = (req: Request): Language => languageOf(req.language) ?? 'en'

/**
 * While this registration was under way the membership got an account, or someone took the user ID: the
 * first ends the registration, the second sends the member back to step 3.
 */
function answerCreationRace(error: unknown, req: Request, res: Response): void {
  if (error instanceof AlreadyRegisteredError) {
    delete req.session.registration
    return res.status(409).render('registration/already-registered', { title: 'registration:alreadyRegistered.title' })
  }
  if (error instanceof UserIdTakenError) {
    delete req.session.registration!.userId
    return res.redirect(303, '/register/user-id')
  }
  throw error
}

function render(res: Response, path: StepPath, view: string, locals: Record<string, unknown>, status = 200) {
  const step = steps.find((candidate) => candidate.path === path)!
  const errors = (locals.errors as unknown[] | undefined) ?? []
  res.status(errors.length > 0 && status === 200 ? 400 : status).render(`registration/${view}`, {
    title: message('registration:stepTitle', { step: step.title, number: stepNumber(path) }),
    stepNumber: stepNumber(path),
    errors: [],
    ...locals,
  })
}

const languageChoices = languages.map((code) => ({ code, name: languageNames[code] }))

/** The brochure's five steps; each GET is guarded so no step is reached before the earlier ones are done. */
export function registrationRoutes({
  registration,
  membership,
  clock,
  config,
}: Pick<Services, 'registration' | 'membership' | 'clock' | 'config'>): Router {
  const router = Router()

  router.use('/register', (req, res, next) => {
    if (req.session.user) return res.redirect(303, homeFor[req.session.user.role])
    next()
  })

  // Answers are kept for a window after the last registration page, judged by the clock, not the cookie.
  router.use('/register', (req, res, next) => {
    const state = req.session.registration
    const now = clock().getTime()
    if (!state) return next()
    if (!registrationLapsed(state, now, config.session.registrationMinutes)) {
      state.lastActiveAt = now
      return next()
    }
    delete req.session.registration
    // A finished registration has nothing left to lose: its confirmation page is simply gone.
    if (state.completedUserId || state.completedByMail) return next()
    // Step 1 starts a registration afresh, so it goes ahead; what was sent to a later step is kept for when
    // the member reaches it again.
    const keptTyping = req.path !== '/' && req.method === 'POST'
    if (keptTyping) keepTypedValues(req, now)
    req.session.registrationNotice = lapsedMessage(config.session.registrationMinutes, keptTyping)
    if (req.path === '/') return next()
    res.redirect(303, '/register')
  })

  const guard = (path: StepPath) => (req: Request, res: Response, next: () => void) => {
    const target = redirectFor(req.session.registration, path)
    if (!target) return next()
    // A form sent after its session had gone altogether: the answers went with it.
    if (!req.session.registration && req.session.lapsedForm?.path === path)
      req.session.registrationNotice = lapsedMessage(config.session.registrationMinutes, true)
    res.redirect(303, target)
  }

  router.get('/register', (req, res) => {
    const state = req.session.registration
    const finished = Boolean(state?.completedUserId || state?.completedByMail)
    if (finished) delete req.session.registration
    const notice = req.session.registrationNotice
    delete req.session.registrationNotice
    const restored = restoredValues(res)
    const values =
      Object.keys(restored).length > 0
        ? parseMembershipForm(restored, clock()).values
        : state && !finished
          ? { firstName: state.firstName, lastName: state.lastName }
          : {}
    render(res, '/register', 'membership', { values, notice })
  })

  router.post('/register', async (req, res) => {
    const form = parseMembershipForm(req.body, clock())
    delete req.session.registrationNotice
    if (!form.ok) return render(res, '/register', 'membership', { values: form.values, errors: form.errors })
    const refuse = (text: string, status: number) =>
      render(res, '/register', 'membership', { values: form.values, errors: [fieldError('firstName', text)] }, status)
    let match
    try {
      match = await membership.matchMembership(form.value, req.ip ?? 'unknown')
    } catch (error) {
      // Registration words the block in its own message file.
      if (!(error instanceof MembershipThrottledError)) throw error
      return refuse(throttledMessage(config.helpPhone), error.status)
    }
    if (!match) return refuse(noMatchMessage, 400)
    if (match.hasAccount) {
      delete req.session.registration
      return res
        .status(200)
        .render('registration/already-registered', { title: 'registration:alreadyRegistered.title' })
    }
    const previous = req.session.registration
    // Going back and re-entering the same membership keeps the later steps' answers.
    req.session.registration =
      previous && previous.memberId === match.member.id && !previous.completedUserId
        ? previous
        : {
            memberId: match.member.id,
            firstName: match.member.first_name,
            lastName: match.member.last_name,
            lastActiveAt: clock().getTime(),
          }
    res.redirect(303, '/register/terms')
  })

  router.get('/register/terms', guard('/register/terms'), (req, res) => {
    render(res, '/register/terms', 'terms', {
      accepted: Boolean(req.session.registration?.termsAcceptedAt),
      termsVersion,
    })
  })

  router.post('/register/terms', guard('/register/terms'), (req, res) => {
    if (req.body?.accept !== 'yes') {
      return render(res, '/register/terms', 'terms', {
        accepted: false,
        termsVersion,
        errors: [{ href: '#accept', text: 'registration:terms.notAccepted' }],
      })
    }
    req.session.registration!.termsAcceptedAt = clock().getTime()
    res.redirect(303, '/register/user-id')
  })

  router.get('/register/user-id', guard('/register/user-id'), (req, res) => {
    const state = req.session.registration!
    const restored = restoredValues(res)
    render(res, '/register/user-id', 'user-id', {
      values: {
        userId: restored.userId ?? state.userId ?? '',
        email: restored.email ?? state.email ?? '',
        preferredLanguage: restored.preferredLanguage ?? state.preferredLanguage ?? pageLanguage(req),
      },
      languageChoices,
    })
  })

  router.post('/register/user-id', guard('/register/user-id'), async (req, res) => {
    const state = req.session.registration!
    const form = parseForm(userIdAndEmailForm, req.body)
    const language = chosenLanguage(req)
    const values = {
      userId: String(req.body?.userId ?? '').slice(0, 40),
      email: String(req.body?.email ?? '').slice(0, 260),
      preferredLanguage: language.ok ? language.value : '',
    }
    const errors = [
      ...(form.ok ? [] : form.errors),
      ...(language.ok ? [] : [fieldError('preferredLanguage', 'registration:userId.badLanguage')]),
    ]
    if (!form.ok || !language.ok)
      return render(res, '/register/user-id', 'user-id', { values, languageChoices, errors })
    if (await registration.userIdTaken(form.value.userId)) {
      return render(res, '/register/user-id', 'user-id', {
        values,
        languageChoices,
        errors: [{ href: '#userId', text: 'registration:userId.taken' }],
      })
    }
    if (form.value.email !== state.email || !state.verificationId) {
      state.verificationId = await registration.requestEmailVerification(state.memberId, form.value.email)
    }
    state.userId = form.value.userId
    state.email = form.value.email
    state.preferredLanguage = language.value
    // The rest of registration, and the sign-on page after it, read in the chosen language.
    res.cookie(languageCookie, language.value, {
      httpOnly: true,
      sameSite: 'lax',
      secure: req.secure,
      maxAge: oneYearMs,
    })
    res.redirect(303, '/register/secure')
  })

  router.get('/register/secure', guard('/register/secure'), async (req, res) => {
    const state = req.session.registration!
    if (state.identity?.passed) return res.redirect(303, '/register/secure/password')
    if ((state.identity?.failedAttempts ?? 0) >= identityAttemptsAllowed) return renderIdentityLocked(res)
    state.identity ??= {
      questions: await registration.identityQuestionsFor(state.memberId),
      failedAttempts: 0,
      passed: false,
    }
    render(res, '/register/secure', 'identity', {
      questions: state.identity.questions,
      failedAttempts: state.identity.failedAttempts,
    })
  })

  router.post('/register/secure', guard('/register/secure'), async (req, res) => {
    const state = req.session.registration!
    const identity = state.identity
    if (!identity || identity.passed) return res.redirect(303, '/register/secure')
    if (identity.failedAttempts >= identityAttemptsAllowed) return renderIdentityLocked(res)
    const unanswered = identity.questions.filter((question) => !/^[0-3]$/.test(String(req.body?.[question.id] ?? '')))
    if (unanswered.length > 0) {
      return render(res, '/register/secure', 'identity', {
        questions: identity.questions,
        failedAttempts: identity.failedAttempts,
        chosen: req.body,
        errors: unanswered.map((question) => ({
          href: `#${question.id}-0`,
          text: message('registration:identity.unanswered', { question: question.prompt }),
        })),
      })
    }
    const allRight = identity.questions.every((question) => Number(req.body[question.id]) === question.answer)
    if (allRight) {
      identity.passed = true
      return res.redirect(303, '/register/secure/password')
    }
    identity.failedAttempts += 1
    if (identity.failedAttempts >= identityAttemptsAllowed) return renderIdentityLocked(res)
    // A new set each time, so answers cannot be found by elimination.
    identity.questions = await registration.identityQuestionsFor(state.memberId)
    render(res, '/register/secure', 'identity', {
      questions: identity.questions,
      failedAttempts: identity.failedAttempts,
      errors: [
        {
          href: `#${identity.questions[0].id}-0`,
          text: 'registration:identity.noMatch',
        },
      ],
    })
  })

  function renderIdentityLocked(res: Response) {
    render(res, '/register/secure', 'identity-locked', {
      title: message('registration:stepTitle', {
        step: 'registration:identityLocked.heading',
        number: stepNumber('/register/secure'),
      }),
    })
  }

  router.get('/register/secure/password', guard('/register/secure/password'), (_req, res) => {
    const { questions } = parseCredentialsForm(restoredValues(res), {}).values
    render(res, '/register/secure/password', 'password', { questionList, values: { questions, answers: [] } })
  })

  router.post('/register/secure/password', guard('/register/secure/password'), async (req, res) => {
    const state = req.session.registration!
    const form = parseCredentialsForm(req.body, {
      userId: state.userId,
      firstName: state.firstName,
      lastName: state.lastName,
    })
    if (!form.ok)
      return render(res, '/register/secure/password', 'password', {
        questionList,
        values: form.values,
        errors: form.errors,
      })
    try {
      await registration.createAccount({
        memberId: state.memberId,
        userId: state.userId!,
        email: state.email!,
        verificationId: state.verificationId!,
        termsAcceptedAt: new Date(state.termsAcceptedAt!),
        password: form.value.password,
        answers: form.value.answers,
        ip: req.ip ?? 'unknown',
        preferredLanguage: state.preferredLanguage ?? pageLanguage(req),
      })
    } catch (error) {
      return answerCreationRace(error, req, res)
    }
    req.session.registration = { ...state, identity: undefined, completedUserId: state.userId }
    res.redirect(303, '/register/done')
  })

  // Finishing by mail: after step 3, for members who cannot or will not answer the identity questions.
  const mailReady = (req: Request, res: Response, next: () => void) => {
    const state = req.session.registration
    if (state?.completedByMail) return res.redirect(303, '/register/by-mail/requested')
    if (!state?.userId || !state.email || state.completedUserId)
      return res.redirect(303, redirectFor(state, '/register/secure') ?? '/register')
    next()
  }

  router.get('/register/by-mail', mailReady, async (req, res) => {
    const address = await registration.maskedAddress(req.session.registration!.memberId)
    res.render('registration/by-mail', { title: 'registration:byMail.title', address, errors: [] })
  })

  router.post('/register/by-mail', mailReady, async (req, res) => {
    const state = req.session.registration!
    const answer = req.body?.addressCurrent
    if (answer !== 'yes' && answer !== 'no') {
      const address = await registration.maskedAddress(state.memberId)
      return res.status(400).render('registration/by-mail', {
        title: 'registration:byMail.title',
        address,
        errors: [{ href: '#addressCurrent-yes', text: 'registration:byMail.notChosen' }],
      })
    }
    if (answer === 'no')
      return res.render('registration/address-changed', { title: 'registration:addressChanged.title' })
    // Only the roster's address is ever used: nothing typed in a form reaches a letter.
    try {
      await registration.finishByMail({
        memberId: state.memberId,
        userId: state.userId!,
        email: state.email!,
        termsAcceptedAt: new Date(state.termsAcceptedAt!),
        ip: req.ip ?? 'unknown',
        preferredLanguage: state.preferredLanguage ?? pageLanguage(req),
      })
    } catch (error) {
      return answerCreationRace(error, req, res)
    }
    req.session.registration = {
      memberId: state.memberId,
      firstName: state.firstName,
      lastName: state.lastName,
      userId: state.userId,
      completedByMail: true,
      lastActiveAt: state.lastActiveAt,
    }
    res.redirect(303, '/register/by-mail/requested')
  })

  router.get('/register/by-mail/requested', (req, res) => {
    const state = req.session.registration
    if (!state?.completedByMail) return res.redirect(303, '/register')
    res.render('registration/by-mail-requested', { title: 'registration:byMailRequested.title', userId: state.userId })
  })

  router.get('/register/done', guard('/register/done'), (req, res) => {
    const state = req.session.registration!
    render(res, '/register/done', 'done', {
      userId: state.completedUserId,
      email: state.email,
      signOnUrl: `${config.publicUrl}/sign-on`,
    })
  })

  return router
}
