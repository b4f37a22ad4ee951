import { type Request, type Response, Router } from 'express'
import { memberToolPage, ownViewing, resolveViewing } from '../viewing/middleware'
import { memberTools, scopeAllows, type SubjectPage, toolPages } from '../viewing/rules'
import { safeReturnPath } from '../platform/return-path'
import { NotFoundError } from '../platform/errors'
import { errorSummary } from '../platform/forms'
import { pageLinks, requestedPage } from '../platform/pagination'
import { recordId } from '../platform/record-id'
import { message } from '../platform/i18n'
import type { Services } from '../services'
import type { GrantFormValues } from './forms'
import { GrantRefusedError } from './service'

const emptyGrantForm: GrantFormValues = {
  firstName: '',
  lastName: '',
  mrn: '',
  birthDate: { day: '', month: '', year: '' },
  tools: [],
  endsOn: { day: '', month: '', year: '' },
}

/** The first part of a path ("/labs/12" → "labs"), to keep a switcher on the same tool when it can. */
function sectionOf(path: string): string {
  return path.split(/[/?#]/)[1] ?? ''
}

/**
 * Family and shared access: the switcher ("You are viewing"), the member's own page of whom they act for and
 * whom they have given access (`/family`), the grant form, revoking, and the access history of the member viewed.
 */
export function familyRoutes({ family, viewing }: Pick<Services, 'family' | 'viewing'>): Router {
  const router = Router()
  const page = memberToolPage()

  router.post('/viewing', ...page, async (req, res) => {
    const body = (req.body ?? {}) as Record<string, unknown>
    const chosenId = recordId(body.memberId)
    const choice = req.viewing?.choices.find((member) => member.memberId === chosenId)
    const own = ownViewing(req)
    if (!choice) {
      await viewing.recordRefusal({
        ...own,
        subjectMemberId: null,
        page: `viewing:${String(body.memberId).slice(0, 40)}`,
      })
      throw new NotFoundError()
    }
    if (choice.memberId === own.memberId) delete req.session.viewingMemberId
    else req.session.viewingMemberId = choice.memberId
    if (choice.memberId !== own.memberId) await family.recordSwitch({ ...own, memberId: choice.memberId })
    // Back to the same tool when the member now viewed has it, otherwise to their home.
    const from = safeReturnPath(body.returnTo) ?? '/home'
    const section = sectionOf(from) as SubjectPage
    const sameTool = (memberTools as readonly string[]).includes(section) || section === 'access-history'
    res.redirect(303, sameTool && scopeAllows(choice, section) ? `/${section}` : '/home')
  })

  router.get('/family', ...page, async (req, res) => {
    const own = ownViewing(req)
    const [given, guardians, mayGrant] = await Promise.all([
      family.grantsGiven(own.memberId),
      family.guardiansOf(own.memberId),
      family.mayGrant(own.memberId),
    ])
    const notice =
      req.query.granted === '1'
        ? 'family:notices.granted'
        : req.query.revoked === '1'
          ? 'family:notices.revoked'
          : undefined
    res.render('family/index', {
      title: 'family:titles.index',
      actingFor: (req.viewing?.choices ?? []).filter((member) => member.relationship !== 'self'),
      given,
      guardians,
      mayGrant,
      toolPages,
      notice,
    })
  })

  async function renderGrantForm(
    req: Request,
    res: Response,
    values: GrantFormValues,
    errors: { href: string; text: string }[] = [],
  ) {
    const mayGrant = await family.mayGrant(ownViewing(req).memberId)
    res.status(errors.length > 0 ? 400 : 200).render('family/grant', {
      title: 'family:titles.grant',
      tools: memberTools.map((tool) => ({ value: tool, name: toolPages[tool].name })),
      values,
      errors,
      mayGrant,
    })
  }

  router.get('/family/grant', ...page, async (req, res) => renderGrantForm(req, res, emptyGrantForm))

  router.post('/family/grant', ...page, async (req, res) => {
    const own = ownViewing(req)
    if (!(await family.mayGrant(own.memberId))) return renderGrantForm(req, res, emptyGrantForm)
    try {
      const outcome = await family.grantAccess(own, req.body)
      if (!outcome.ok) return renderGrantForm(req, res, outcome.values, outcome.errors)
    } catch (error) {
      if (!(error instanceof GrantRefusedError)) throw error
      return renderGrantForm(req, res, error.values, errorSummary(error.problems))
    }
    res.redirect(303, '/family?granted=1')
  })

  router.post('/family/grants/:id/revoke', ...page, async (req, res) => {
    await family.revoke(ownViewing(req), req.params.id)
    res.redirect(303, '/family?revoked=1')
  })

  router.get('/access-history', ...page, async (req, res) => {
    const viewing = await resolveViewing(req, 'access-history')
    const history = await family.accessHistory(viewing, requestedPage(req.query.page))
    const own = viewing.memberId === ownViewing(req).memberId
    const name = req.viewing?.current.name ?? ''
    const heading = own ? 'family:titles.historyOwn' : message('family:titles.historyOther', { name })
    res.render('family/access-history', {
      title:
        history.pageCount > 1
          ? message('family:titles.paged', { heading, page: history.page, count: history.pageCount })
          : heading,
      heading,
      own,
      history,
      pagination: pageLinks(history, '/access-history'),
    })
  })

  return router
}
