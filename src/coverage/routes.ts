import { Router } from 'express'
import { z } from 'zod'
import { memberToolPage, resolveViewing } from '../viewing/middleware'
import { FormError, parseForm } from '../platform/forms'
import { message } from '../platform/i18n'
import { parseDollars } from '../platform/money'
import { pageLinks, requestedPage } from '../platform/pagination'
import type { Services } from '../services'
import { labelBenefit, labelClaim } from './service-names'

export const maxPriceCents = 100_000_000

const estimateForm = z.object({
  service: z.preprocess(
    (value) => (typeof value === 'string' ? value.trim() : ''),
    z.string().min(1, 'coverage:form.serviceMissing').max(40, 'coverage:form.serviceUnknown'),
  ),
  price: z.preprocess(
    (value) => (typeof value === 'string' ? value.trim() : ''),
    z
      .string()
      .max(20, 'coverage:form.priceTooLong')
      .transform((typed, context) => {
        if (typed === '') return undefined
        const cents = parseDollars(typed)
        if (cents === undefined) context.addIssue({ code: 'custom', message: 'coverage:form.priceFormat' })
        else if (cents === 0) context.addIssue({ code: 'custom', message: 'coverage:form.priceZero' })
        else if (cents > maxPriceCents) context.addIssue({ code: 'custom', message: 'coverage:form.priceTooHigh' })
        return cents
      }),
  ),
})

/** Coverage and costs: the overview, the cost estimate (a GET form), and claims. */
export function coverageRoutes({ coverage }: Pick<Services, 'coverage'>): Router {
  const router = Router()

  router.get('/coverage', ...memberToolPage(), async (req, res) => {
    const overview = await coverage.overview(await resolveViewing(req, 'coverage'))
    res.render('coverage/index', {
      title: 'coverage:title',
      ...overview,
      benefits: overview.benefits.map(labelBenefit),
      recentClaims: overview.recentClaims.map(labelClaim),
      values: {},
      errors: [],
    })
  })

  router.get('/coverage/estimate', ...memberToolPage(), async (req, res) => {
    const viewing = await resolveViewing(req, 'coverage')
    const query = req.query as Record<string, unknown>
    const values = {
      service: typeof query.service === 'string' ? query.service.slice(0, 40) : '',
      price: typeof query.price === 'string' ? query.price.slice(0, 20) : '',
    }
    // Opening the page is not a request for an estimate; submitting the form (even empty) is.
    if (!('service' in query) && !('price' in query)) {
      const page = await coverage.estimatePage(viewing)
      return res.render('coverage/estimate', {
        title: 'coverage:estimate.title',
        ...page,
        services: page.services.map(labelBenefit),
        values,
        errors: [],
      })
    }
    const form = parseForm(estimateForm, query)
    const page = await coverage.estimatePage(
      viewing,
      form.ok ? { serviceCode: form.value.service, priceCents: form.value.price } : undefined,
    )
    const errors: FormError[] = form.ok ? [] : form.errors
    if (form.ok && !page.outcome) errors.push({ href: '#service', text: 'coverage:form.serviceUnknown' })
    const outcome = page.outcome && { ...page.outcome, benefit: labelBenefit(page.outcome.benefit) }
    res.status(errors.length > 0 ? 400 : 200).render('coverage/estimate', {
      title:
        errors.length > 0 || !outcome
          ? 'coverage:estimate.title'
          : message('coverage:estimate.resultTitle', { service: outcome.benefit.label }),
      ...page,
      services: page.services.map(labelBenefit),
      outcome,
      values,
      errors,
    })
  })

  router.get('/coverage/claims', ...memberToolPage(), async (req, res) => {
    const claims = await coverage.claims(await resolveViewing(req, 'coverage'), requestedPage(req.query.page))
    res.render('coverage/claims', {
      title:
        claims.pageCount > 1
          ? message('coverage:claims.titlePaged', { page: claims.page, pages: claims.pageCount })
          : 'coverage:claims.title',
      claims: { ...claims, items: claims.items.map(labelClaim) },
      pagination: pageLinks(claims, '/coverage/claims'),
    })
  })

  router.get('/coverage/claims/:id', ...memberToolPage(), async (req, res) => {
    const claim = await coverage.claim(await resolveViewing(req, 'coverage'), req.params.id)
    res.render('coverage/claim', {
      title: message('coverage:claim.title', { number: claim.claimNumber }),
      claim: labelClaim(claim),
    })
  })

  return router
}
