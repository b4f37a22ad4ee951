import { Router } from 'express'
import { requireRole } from '../platform/access'
import { resolveViewing } from '../viewing/middleware'
import { memberTools, navigationFor } from '../viewing/rules'
import { NotFoundError } from '../platform/errors'
import { languageOf, message } from '../platform/i18n'
import type { Services } from '../services'

/** The home of the member being viewed: who they are, their care team, and the tools their scope allows. */
export function homeRoutes({
  members,
  appointments,
  twoStep,
}: Pick<Services, 'members' | 'appointments' | 'twoStep'>): Router {
  const router = Router()
  router.get('/home', ...requireRole('member'), async (req, res) => {
    const viewing = await resolveViewing(req, 'home')
    const member = await members.summaryOf(viewing)
    if (!member) throw new NotFoundError()
    const current = req.viewing?.current
    const tools = current ? current.tools : memberTools
    const upcoming = tools.includes('appointments')
      ? await appointments.comingUp(await resolveViewing(req, 'appointments'), 3, languageOf(req.language))
      : []
    const self = !current || current.relationship === 'self'
    // Members are asked to set up 2-step verification until they do, or say "not now" (asked again in 30 days).
    const offerTwoStep = self && (await twoStep.shouldOffer(req.session.user!.id))
    res.render('home/index', {
      offerTwoStep,
      title: self ? 'home:title' : message('home:titleFor', { name: `${member.firstName} ${member.lastName}` }),
      member,
      upcoming,
      tools: navigationFor({ tools, accessHistory: false }),
      self,
      accessHistory: current?.accessHistory ?? true,
    })
  })
  return router
}
