import express, { Router } from 'express'
import { z } from 'zod'
import { memberToolPage, resolveViewing, type Viewing } from '../viewing/middleware'
import { errorSummary, type FormError } from '../platform/forms'
import { noStore, requireRole } from '../platform/access'
import type { Services } from '../services'
import { languageOf, message } from '../platform/i18n'
import { noReasonGiven } from './pharmacy-client'
import {
  deliveryValue,
  isRequestToken,
  newRequestToken,
  RefillChoice,
  RefillRefusedError,
  RenewalRefusedError,
} from './service'
import { signatureHeader, timestampHeader, verifyWebhook } from './webhook-signature'

declare module 'express-session' {
  interface SessionData {
    /** The refill form being filled in: its idempotency token and, once checked, the choice. */
    refillDraft?: { token: string; memberId?: number; choice?: RefillChoice; submitted?: boolean }
  }
}

/** The member's prescriptions, refill requests (choose → check → confirmation → status) and renewal requests. */
export function prescriptionRoutes({ prescriptions, members }: Pick<Services, 'prescriptions' | 'members'>): Router {
  const router = Router()

  router.get('/prescriptions', ...memberToolPage(), async (req, res) => {
    const viewing = await resolveViewing(req, 'prescriptions')
    const { active, past, requests } = await prescriptions.overview(viewing)
    const member = await members.summaryOf(viewing)
    res.render('prescriptions/index', {
      title: 'prescriptions:titles.index',
      active,
      past,
      requests,
      member,
      renewalSent: req.query.renewal === 'requested',
    })
  })

  router.post('/prescriptions/:id/renewal', ...memberToolPage(), async (req, res) => {
    const viewing = await resolveViewing(req, 'prescriptions')
    try {
      await prescriptions.requestRenewal(viewing, req.params.id, languageOf(req.language) ?? 'en')
      return res.redirect(303, '/prescriptions?renewal=requested')
    } catch (error) {
      if (!(error instanceof RenewalRefusedError)) throw error
      await renderOverview(res, viewing, errorSummary(error.problems))
    }
  })

  const renderOverview = async (res: express.Response, viewing: Viewing, errors: FormError[]) => {
    const { active, past, requests } = await prescriptions.overview(viewing)
    res.status(400).render('prescriptions/index', {
      title: 'prescriptions:titles.index',
      active,
      past,
      requests,
      member: await members.summaryOf(viewing),
      renewalSent: false,
      errors,
    })
  }

  const renderChoose = async (
    req: express.Request,
    res: express.Response,
    token: string,
    values: { medicationIds: number[]; delivery?: string },
    errors: { href: string; text: string }[] = [],
  ) => {
    const viewing = await resolveViewing(req, 'prescriptions')
    const options = await prescriptions.refillOptions(viewing)
    res.status(errors.length > 0 ? 400 : 200).render('prescriptions/refill', {
      title: 'prescriptions:titles.refill',
      options,
      token,
      values,
      errors,
    })
  }

  router.get('/prescriptions/refill', ...memberToolPage(), async (req, res) => {
    const { memberId } = await resolveViewing(req, 'prescriptions')
    let draft = req.session.refillDraft
    // A draft belongs to the member it was started for: switching to another family member starts afresh.
    if (!draft || draft.submitted || draft.memberId !== memberId)
      draft = req.session.refillDraft = { token: newRequestToken(), memberId }
    await renderChoose(req, res, draft.token, {
      medicationIds: draft.choice?.medicationIds ?? [],
      delivery: draft.choice && deliveryValue(draft.choice),
    })
  })

  router.post('/prescriptions/refill', ...memberToolPage(), async (req, res) => {
    const viewing = await resolveViewing(req, 'prescriptions')
    const body = (req.body ?? {}) as Record<string, unknown>
    const token = isRequestToken(body.requestToken) ? body.requestToken : newRequestToken()
    let choice: RefillChoice
    try {
      choice = await prescriptions.checkChoice(viewing, body)
    } catch (error) {
      if (!(error instanceof RefillRefusedError)) throw error
      const given = Array.isArray(body.medications) ? body.medications : [body.medications]
      return renderChoose(
        req,
        res,
        token,
        {
          medicationIds: given.map(Number).filter(Number.isInteger),
          delivery: typeof body.delivery === 'string' ? body.delivery : undefined,
        },
        errorSummary(error.problems),
      )
    }
    req.session.refillDraft = { token, memberId: viewing.memberId, choice }
    res.redirect(303, '/prescriptions/refill/check')
  })

  router.get('/prescriptions/refill/check', ...memberToolPage(), async (req, res) => {
    const viewing = await resolveViewing(req, 'prescriptions')
    const draft = req.session.refillDraft
    if (!draft?.choice || draft.submitted || draft.memberId !== viewing.memberId)
      return res.redirect(303, '/prescriptions/refill')
    const summary = await prescriptions.describeChoice(viewing, draft.choice)
    res.render('prescriptions/check', {
      title: 'prescriptions:titles.check',
      summary,
      choice: draft.choice,
      token: draft.token,
    })
  })

  router.post('/prescriptions/refill/check', ...memberToolPage(), async (req, res) => {
    const viewing = await resolveViewing(req, 'prescriptions')
    const token = (req.body as Record<string, unknown> | undefined)?.requestToken
    if (!isRequestToken(token)) return res.redirect(303, '/prescriptions/refill')
    const draft = req.session.refillDraft
    if (!draft?.choice || draft.token !== token || draft.memberId !== viewing.memberId) {
      // An old tab's form, or one sent again after the draft moved on: the request its token made, if any.
      const already = await prescriptions.requestForToken(viewing, token)
      return res.redirect(303, already ? `/prescriptions/requests/${already}/confirmation` : '/prescriptions/refill')
    }
    // A second click or a reload with this draft: createRequest finds the request its token made.
    let outcome: { requestId: number }
    try {
      outcome = await prescriptions.createRequest(viewing, draft.choice, token)
    } catch (error) {
      if (!(error instanceof RefillRefusedError)) throw error
      return renderChoose(
        req,
        res,
        token,
        { medicationIds: draft.choice.medicationIds, delivery: deliveryValue(draft.choice) },
        errorSummary(error.problems),
      )
    }
    req.session.refillDraft = { ...draft, submitted: true }
    res.redirect(303, `/prescriptions/requests/${outcome.requestId}/confirmation`)
  })

  router.get('/prescriptions/requests/:id/confirmation', ...memberToolPage(), async (req, res) => {
    const viewing = await resolveViewing(req, 'prescriptions')
    const request = await prescriptions.showRequest(viewing, req.params.id)
    res.render('prescriptions/confirmation', { title: 'prescriptions:titles.confirmation', request })
  })

  router.get('/prescriptions/requests/:id', ...memberToolPage(), async (req, res) => {
    const viewing = await resolveViewing(req, 'prescriptions')
    const request = await prescriptions.showRequest(viewing, req.params.id)
    res.render('prescriptions/request', {
      title: message('prescriptions:titles.request', { id: request.id }),
      request,
      // The pharmacy's own reason stays as it gave it; the one we record when it gave none is ours to translate.
      reason: request.outcomeReason === noReasonGiven ? 'prescriptions:request.noReason' : request.outcomeReason,
    })
  })

  return router
}

/** The office's list of renewal requests and refill requests that could not be sent. */
export function officePrescriptionRoutes({ prescriptions }: Pick<Services, 'prescriptions'>): Router {
  const router = Router()
  router.get('/office/prescriptions', ...requireRole('office'), noStore, async (req, res) => {
    const queue = await prescriptions.officeQueue(
      req.session.user!.id,
      req.id === undefined ? undefined : String(req.id),
    )
    res.render('office/prescriptions', { title: 'Renewal and refill requests', queue })
  })
  return router
}

const webhookBody = z.object({
  event: z.literal('order.updated'),
  order: z.object({
    id: z.string().min(1).max(64),
    idempotencyKey: z.string().max(100),
    status: z.enum(['received', 'ready', 'shipped', 'denied']),
    trackingNumber: z.string().max(64).nullable(),
    reason: z.string().max(500).nullable(),
  }),
})

/**
 * The pharmacy's webhook: mounted before sessions and CSRF (a server calls it, not a browser), it takes the
 * raw body so the signature is checked over the exact bytes sent. Stale or badly signed calls are refused
 * (401), a signed call seen before within the window is refused as a replay (409), and both are logged without
 * their body.
 */
export function pharmacyWebhookRoutes({
  refillSubmissions,
  seenWebhooks,
  config,
  clock,
  logger,
}: Pick<Services, 'refillSubmissions' | 'seenWebhooks' | 'config' | 'clock' | 'logger'>): Router {
  const router = Router()
  router.post('/pharmacy/webhook', express.raw({ type: () => true, limit: '16kb' }), async (req, res) => {
    const body = Buffer.isBuffer(req.body) ? req.body : Buffer.alloc(0)
    const signature = req.get(signatureHeader)
    const check = verifyWebhook(
      config.pharmacy.webhookSecret,
      { timestamp: req.get(timestampHeader), signature },
      body,
      clock(),
    )
    if (!check.ok) {
      logger.warn({ requestId: req.id, problem: check.problem }, 'pharmacy webhook refused')
      return res.status(401).json({ error: `Refused: ${check.problem}` })
    }
    if (!(await seenWebhooks.firstSighting(signature!))) {
      logger.warn({ requestId: req.id, problem: 'replayed' }, 'pharmacy webhook refused')
      return res.status(409).json({ error: 'Refused: replayed' })
    }
    let parsed: z.infer<typeof webhookBody>
    try {
      // JSON is UTF-8 (RFC 8259 §8.1): a body that is not is unreadable, not guessed at.
      parsed = webhookBody.parse(JSON.parse(new TextDecoder('utf-8', { fatal: true }).decode(body)))
    } catch {
      logger.warn({ requestId: req.id }, 'pharmacy webhook with an unreadable body')
      return res.status(400).json({ error: 'Unreadable body' })
    }
    let outcome: Awaited<ReturnType<typeof refillSubmissions.applyWebhook>>
    try {
      outcome = await refillSubmissions.applyWebhook(parsed.order)
    } catch (error) {
      await seenWebhooks.forget(signature!)
      throw error
    }
    if (outcome === 'unknown')
      logger.warn({ requestId: req.id, orderId: parsed.order.id }, 'webhook for an unknown order')
    res.status(outcome === 'unknown' ? 404 : 200).json({ outcome })
  })
  return router
}
