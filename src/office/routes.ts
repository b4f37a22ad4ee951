import { Request, Response, Router } from 'express'
import { bodyMaxLength, StaffActor, topicWords } from '../messages/service'
import { requireRole } from '../platform/access'
import type { FormError } from '../platform/forms'
import type { Services } from '../services'

function staff(req: Request): StaffActor {
  return { userId: req.session.user!.id, requestId: req.id === undefined ? undefined : String(req.id), ip: req.ip }
}

/**
 * The doctor's office: the department's message inbox (oldest unanswered first, renewal requests with their
 * medicine), a thread with its reply form, and "mark as handled". Staff see only their department's threads.
 */
export function officeRoutes({ messages }: Pick<Services, 'messages'>): Router {
  const router = Router()
  const page = requireRole('office')

  router.get('/office', ...page, async (req, res) => {
    const inbox = await messages.officeInbox(staff(req))
    res.render('office/index', {
      title: `Messages for ${inbox.department.name}, ${inbox.department.clinicName}`,
      ...inbox,
      topicWords,
      handled: req.query.handled === '1',
    })
  })

  const renderThread = async (req: Request, res: Response, errors: FormError[] = []) => {
    const view = await messages.officeThread(staff(req), req.params.id)
    const body = (req.body as Record<string, unknown> | undefined)?.body
    res.status(errors.length > 0 ? 400 : 200).render('office/thread', {
      title: `${view.thread.subject} from ${view.member.first_name} ${view.member.last_name}`,
      ...view,
      topicWords,
      bodyMaxLength,
      replied: req.query.replied === '1' && errors.length === 0,
      values: { body: errors.length > 0 && typeof body === 'string' ? body.slice(0, bodyMaxLength * 4) : '' },
      errors,
    })
  }

  router.get('/office/messages/:id', ...page, (req, res) => renderThread(req, res))

  router.post('/office/messages/:id/reply', ...page, async (req, res) => {
    const outcome = await messages.officeReply(staff(req), req.params.id, req.body)
    if (!outcome.ok) return renderThread(req, res, outcome.errors)
    res.redirect(303, `/office/messages/${outcome.threadId}?replied=1`)
  })

  router.post('/office/messages/:id/handled', ...page, async (req, res) => {
    await messages.markHandled(staff(req), req.params.id)
    res.redirect(303, '/office?handled=1')
  })

  return router
}
