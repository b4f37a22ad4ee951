import { Request, RequestHandler, Response, Router } from 'express'
import { memberToolPage, resolveViewing, viewingIfAllowed } from '../viewing/middleware'
import type { FormError } from '../platform/forms'
import type { Services } from '../services'
import { message } from '../platform/i18n'
import { topics } from './repository'
import { bodyMaxLength, subjectMaxLength } from './service'

// What was typed comes back with its message, even when far too long (bounded by the 32 KB form limit).
function typed(body: unknown, name: string, max: number): string {
  const value = (body as Record<string, unknown> | undefined)?.[name]
  return typeof value === 'string' ? value.slice(0, max) : ''
}

/** Unread office replies for the header of every member page (a count only). */
export function unreadMessageCount({ messages }: Pick<Services, 'messages'>): RequestHandler {
  return async (req, res, next) => {
    const user = req.session?.user
    // The member viewed, when their scope includes messages (a teen's, a child's, a grant's); otherwise no count.
    const viewing = user?.mustSetCredentials ? undefined : viewingIfAllowed(req, 'messages')
    if (!viewing) return next()
    // Read with whom the member may act for, in that one statement, when the switcher's look-up ran.
    res.locals.unreadMessages = req.viewing?.current.unreadReplies ?? (await messages.unreadCount(viewing))
    next()
  }
}

/** The member's messages with their doctor's office: inbox, sent, compose, threads and replies. */
export function messageRoutes({ messages }: Pick<Services, 'messages'>): Router {
  const router = Router()
  const page = memberToolPage()
  const locals = { topics, bodyMaxLength, subjectMaxLength }

  router.get('/messages', ...page, async (req, res) => {
    const threads = await messages.inbox(await resolveViewing(req, 'messages'))
    res.render('messages/index', { ...locals, title: 'messages:titles.inbox', threads })
  })

  router.get('/messages/sent', ...page, async (req, res) => {
    const sent = await messages.sent(await resolveViewing(req, 'messages'))
    res.render('messages/sent', { ...locals, title: 'messages:titles.sent', sent })
  })

  const renderCompose = async (req: Request, res: Response, errors: FormError[] = []) => {
    const departments = await messages.departments(await resolveViewing(req, 'messages'))
    const source = req.method === 'POST' ? req.body : req.query
    const topic = typed(source, 'topic', 40)
    res.status(errors.length > 0 ? 400 : 200).render('messages/new', {
      ...locals,
      title: 'messages:titles.new',
      departments,
      values: {
        topic,
        department: typed(source, 'department', 12) || String(departments[0]?.id ?? ''),
        subject: typed(source, 'subject', subjectMaxLength * 4),
        body: typed(source, 'body', bodyMaxLength * 4),
        notUrgent: typed(source, 'notUrgent', 3) === 'yes',
      },
      errors,
    })
  }

  router.get('/messages/new', ...page, (req, res) => renderCompose(req, res))

  router.post('/messages/new', ...page, async (req, res) => {
    const outcome = await messages.send(await resolveViewing(req, 'messages'), req.body)
    if (!outcome.ok) return renderCompose(req, res, outcome.errors)
    res.redirect(303, `/messages/${outcome.threadId}?sent=1`)
  })

  const renderThread = async (req: Request, res: Response, errors: FormError[] = []) => {
    const viewing = await resolveViewing(req, 'messages')
    const thread = await messages.openThread(viewing, req.params.id)
    res.status(errors.length > 0 ? 400 : 200).render('messages/thread', {
      ...locals,
      title: message('messages:titles.thread', { subject: thread.subject }),
      thread,
      sent: req.query.sent === '1' && errors.length === 0,
      values: {
        body: errors.length > 0 ? typed(req.body, 'body', bodyMaxLength * 4) : '',
        notUrgent: errors.length > 0 && typed(req.body, 'notUrgent', 3) === 'yes',
      },
      errors,
    })
  }

  router.get('/messages/:id', ...page, (req, res) => renderThread(req, res))

  router.post('/messages/:id/reply', ...page, async (req, res) => {
    const outcome = await messages.reply(await resolveViewing(req, 'messages'), req.params.id, req.body)
    if (!outcome.ok) return renderThread(req, res, outcome.errors)
    res.redirect(303, `/messages/${outcome.threadId}?sent=1`)
  })

  return router
}
