import { Router } from 'express'
import { requireRole, resolveViewing } from '../platform/access'
import { NotFoundError } from '../platform/errors'
import type { Services } from '../services'

/** The member's home: who they are, their care team, and the tools that exist so far. */
export function homeRoutes({ members, appointments }: Pick<Services, 'members' | 'appointments'>): Router {
  const router = Router()
  router.get('/home', ...requireRole('member'), async (req, res) => {
    const memberId = req.session.user?.memberId
    const member = memberId ? await members.findSummary(memberId) : undefined
    if (!member) throw new NotFoundError()
    const upcoming = await appointments.comingUp(await resolveViewing(req, 'appointments'))
    res.render('home/index', { title: 'Your home', member, upcoming })
  })
  return router
}
