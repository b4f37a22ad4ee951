import { Request, Response, Router } from 'express'
import { bodyMaxLength, StaffActor, topicWords } from '../messages/service'
import { requireRole } from '../platform/access'
import type { FormError } from '../platform/forms'
import { holdReasonMaxLength, noteMaxLength } from '../labs/service'
import type { Services } from '../services'

function staff(req: Request): StaffActor {
  return { userId: req.session.user!.id, requestId: req.id === undefined ? undefined : String(req.id), ip: req.ip }
}

/**
 * The doctor's office: the department's message inbox (oldest unanswered first, renewal requests with their
 * medicine), a thread with its reply form, and "mark as handled"; the department's new lab results to review or
 * hold. Staff see only their department's threads and the results its doctors ordered.
 */
export function officeRoutes({ messages, labs }: Pick<Services, 'messages' | 'labs'>): Router {
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

  // New lab results: the department's to review, one result, "Mark reviewed" and "Hold to talk first".

  router.get('/office/results', ...page, async (req, res) => {
    const view = await labs.resultsToReview(staff(req))
    res.render('office/results', {
      title: `New lab results for ${view.department.name}, ${view.department.clinicName}`,
      ...view,
      done: typeof req.query.done === 'string' ? req.query.done.slice(0, 10) : '',
    })
  })

  const renderResult = async (req: Request, res: Response, errors: FormError[] = []) => {
    const view = await labs.officeResult(staff(req), req.params.id)
    const body = (req.body ?? {}) as Record<string, unknown>
    const posted = (name: string, max: number) =>
      errors.length > 0 && typeof body[name] === 'string' ? (body[name] as string).slice(0, max * 2) : ''
    res.status(errors.length > 0 ? 400 : 200).render('office/result', {
      title: `${view.record.testName} for ${view.memberName}`,
      ...view,
      noteMaxLength,
      holdReasonMaxLength,
      holdDays: Array.from({ length: 14 }, (_unused, index) => index + 1),
      values: {
        note: posted('note', noteMaxLength),
        discussed: errors.length > 0 && body.discussed === 'yes',
        reason: posted('reason', holdReasonMaxLength),
        days: posted('days', 2),
      },
      errors,
    })
  }

  router.get('/office/results/:id', ...page, (req, res) => renderResult(req, res))

  router.post('/office/results/:id/review', ...page, async (req, res) => {
    const errors = await labs.review(staff(req), req.params.id, req.body)
    if (errors) return renderResult(req, res, errors)
    res.redirect(303, '/office/results?done=reviewed')
  })

  router.post('/office/results/:id/hold', ...page, async (req, res) => {
    const errors = await labs.hold(staff(req), req.params.id, req.body)
    if (errors) return renderResult(req, res, errors)
    res.redirect(303, '/office/results?done=held')
  })

  return router
}
