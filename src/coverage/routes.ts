import { Router } from 'express'
import { z } from 'zod'
import { memberToolPage, resolveViewing } from '../viewing/middleware'
import { FormError, parseForm } from '../platform/forms'
import { parseDollars } from '../platform/money'
import { pageLinks, requestedPage } from '../platform/pagination'
import type { Services } from '../services'

const priceFormat = 'Enter the price in dollars, like 1250 or 1,250.00'
export const maxPriceCents = 100_000_000

const estimateForm = z.object({
  service: z.preprocess(
    (value) => (typeof value === 'string' ? value.trim() : ''),
    z.string().min(1, 'Choose the service you want an estimate for').max(40, 'Choose a service from the list'),
  ),
  price: z.preprocess(
    (value) => (typeof value === 'string' ? value.trim() : ''),
    z
      .string()
      .max(20, 'The price must be 20 characters or fewer')
      .transform((typed, context) => {
        if (typed === '') return undefined
        const cents = parseDollars(typed)
        if (cents === undefined) context.addIssue({ code: 'custom', message: priceFormat })
        else if (cents === 0) context.addIssue({ code: 'custom', message: 'Enter a price more than $0' })
        else if (cents > maxPriceCents)
          context.addIssue({ code: 'custom', message: 'Enter a price of $1,000,000 or less' })
        return cents
      }),
  ),
})

const unknownService = 'Choose a service from the list'
const estimateHeading = 'Estimate your cost'

/** Coverage and costs: the overview, the cost estimate (a GET form), and claims. */
export function coverageRoutes({ coverage }: Pick<Services, 'coverage'>): Router {
  const router = Router()

  router.get('/coverage', ...memberToolPage(), async (req, res) => {
    const overview = await coverage.overview(await resolveViewing(req, 'coverage'))
    res.render('coverage/index', { title: 'Coverage and costs', ...overview, values: {}, errors: [] })
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
      return res.render('coverage/estimate', { title: estimateHeading, ...page, values, errors: [] })
    }
    const form = parseForm(estimateForm, query)
    const page = await coverage.estimatePage(
      viewing,
      form.ok ? { serviceCode: form.value.service, priceCents: form.value.price } : undefined,
    )
    const errors: FormError[] = form.ok ? [] : form.errors
    if (form.ok && !page.outcome) errors.push({ href: '#service', text: unknownService })
    res.status(errors.length > 0 ? 400 : 200).render('coverage/estimate', {
      title: errors.length > 0 ? estimateHeading : `Your estimate for ${page.outcome?.benefit.serviceName}`,
      ...page,
      values,
      errors,
    })
  })

  router.get('/coverage/claims', ...memberToolPage(), async (req, res) => {
    const claims = await coverage.claims(await resolveViewing(req, 'coverage'), requestedPage(req.query.page))
    res.render('coverage/claims', {
      title: claims.pageCount > 1 ? `Your claims (page ${claims.page} of ${claims.pageCount})` : 'Your claims',
      claims,
      pagination: pageLinks(claims, '/coverage/claims'),
    })
  })

  router.get('/coverage/claims/:id', ...memberToolPage(), async (req, res) => {
    const claim = await coverage.claim(await resolveViewing(req, 'coverage'), req.params.id)
    res.render('coverage/claim', { title: `Claim ${claim.claimNumber}`, claim })
  })

  return router
}
