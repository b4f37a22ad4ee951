import { Request, Response, Router } from 'express'
import { memberToolPage, resolveViewing, Viewing } from '../viewing/middleware'
import { errorSummary, FormError, parseForm, text } from '../platform/forms'
import type { Services } from '../services'
import { z } from 'zod'
import type { Slot } from './repository'
import { groupByDay } from './rules'
import { formatDay, formatTime, weekStartOf } from './times'
import {
  AppointmentInputError,
  AppointmentService,
  BookingChoice,
  reasonMaxLength,
  SlotTakenError,
  TooLateToChangeError,
} from './service'

// Control characters have no place in a reason for visit; line breaks stay.
const reasonSchema = z.object({
  reason: z.preprocess(
    (value) => (typeof value === 'string' ? value.replace(/[^\P{Cc}\n\t]/gu, '') : value),
    text('reason for visit', { max: reasonMaxLength, missing: 'Enter the reason for your visit' }),
  ),
})

/** A short string from the query or body; anything else (arrays, objects, huge values) counts as missing. */
function field(source: unknown, name: string): string {
  const value = (source as Record<string, unknown> | undefined)?.[name]
  return typeof value === 'string' && value.length <= 40 ? value.trim() : ''
}

function choiceQuery(choice: BookingChoice, extra: Record<string, string> = {}): string {
  return new URLSearchParams({
    visitType: choice.visitType.code,
    provider: String(choice.provider.id),
    ...extra,
  }).toString()
}

/** Schedule, see, cancel, reschedule, and download appointments; every page works without JavaScript. */
export function appointmentRoutes({ appointments }: Pick<Services, 'appointments'>): Router {
  const router = Router()
  const page = memberToolPage()
  router.use('/appointments', (_req, res, next) => {
    Object.assign(res.locals, { formatDay, formatTime })
    next()
  })

  async function renderVisitTypes(res: Response, errors: FormError[] = [], value = '') {
    res.status(errors.length ? 400 : 200).render('appointments/visit-type', {
      title: 'Schedule an appointment: type of visit',
      visitTypes: await appointments.visitTypes(),
      value,
      errors,
    })
  }

  async function renderProviders(res: Response, viewing: Viewing, code: string, errors: FormError[] = []) {
    const visitType = await appointments.visitType(code)
    res.status(errors.length ? 400 : 200).render('appointments/provider', {
      title: 'Schedule an appointment: doctor and location',
      visitType,
      providers: await appointments.providersFor(viewing, visitType),
      errors,
    })
  }

  async function renderTimes(
    req: Request,
    res: Response,
    choice: BookingChoice,
    options: {
      errors?: FormError[]
      status?: number
      nearest?: SlotTakenError['nearest']
      appointmentId?: number
      week?: string
    },
  ) {
    // The week shown stays put when the page comes back with a message.
    const { week, days } = await appointments.openTimes(
      choice,
      req.query.week ?? (field(req.body, 'week') || options.week),
    )
    const base = options.appointmentId
      ? `/appointments/${options.appointmentId}/reschedule?`
      : `/appointments/new/time?${choiceQuery(choice)}&`
    res.status(options.status ?? (options.errors?.length ? 400 : 200)).render('appointments/times', {
      title: options.appointmentId
        ? `Reschedule: choose a new time (${week.heading})`
        : `Schedule an appointment: day and time (${week.heading})`,
      choice,
      week,
      days,
      nearest: options.nearest ? groupByDay(options.nearest) : undefined,
      previousLink: week.previous ? `${base}week=${week.previous}` : undefined,
      nextLink: week.next ? `${base}week=${week.next}` : undefined,
      appointmentId: options.appointmentId,
      errors: options.errors ?? [],
    })
  }

  router.get('/appointments', ...page, async (req, res) => {
    const viewing = await resolveViewing(req, 'appointments')
    const { upcoming, past } = await appointments.list(viewing)
    res.render('appointments/index', {
      title: 'Appointments',
      upcoming,
      past,
      cancelled: req.query.cancelled === '1',
    })
  })

  router.get('/appointments/new', ...page, async (req, res) => {
    await resolveViewing(req, 'appointments')
    await renderVisitTypes(res)
  })

  router.get('/appointments/new/provider', ...page, async (req, res) => {
    const viewing = await resolveViewing(req, 'appointments')
    const code = field(req.query, 'visitType')
    try {
      await renderProviders(res, viewing, code)
    } catch (error) {
      if (!(error instanceof AppointmentInputError)) throw error
      await renderVisitTypes(res, errorSummary(error.problems))
    }
  })

  /** The visit type and provider from the query, or the earlier step's page with the message. */
  async function choiceOrStepBack(
    source: unknown,
    res: Response,
    viewing: Viewing,
  ): Promise<BookingChoice | undefined> {
    try {
      return await appointments.choice(viewing, field(source, 'visitType'), field(source, 'provider'))
    } catch (error) {
      if (!(error instanceof AppointmentInputError)) throw error
      if (error.field === 'visitType') await renderVisitTypes(res, errorSummary(error.problems))
      else await renderProviders(res, viewing, field(source, 'visitType'), errorSummary(error.problems))
      return undefined
    }
  }

  router.get('/appointments/new/time', ...page, async (req, res) => {
    const viewing = await resolveViewing(req, 'appointments')
    const choice = await choiceOrStepBack(req.query, res, viewing)
    if (choice) await renderTimes(req, res, choice, {})
  })

  /** The chosen slot, or the times page with why it cannot be booked. */
  async function slotOrTimes(
    req: Request,
    res: Response,
    choice: BookingChoice,
    rawSlot: string,
    appointmentId?: number,
  ) {
    try {
      return await appointments.bookableSlot(choice, rawSlot)
    } catch (error) {
      await answerBookingError(req, res, choice, error, appointmentId)
      return undefined
    }
  }

  async function answerBookingError(
    req: Request,
    res: Response,
    choice: BookingChoice,
    error: unknown,
    appointmentId?: number,
  ) {
    if (error instanceof SlotTakenError) {
      return renderTimes(req, res, choice, {
        errors: [{ href: '#slot', text: 'That time was just taken. Choose another time' }],
        status: 409,
        nearest: error.nearest,
        appointmentId,
      })
    }
    if (error instanceof AppointmentInputError)
      return renderTimes(req, res, choice, { errors: errorSummary(error.problems), appointmentId })
    throw error
  }

  /** The reason step, with what was typed kept when it comes back with a message. */
  function renderReason(req: Request, res: Response, choice: BookingChoice, slot: Slot, errors: FormError[]) {
    const typed = req.method === 'POST' && typeof req.body?.reason === 'string' ? req.body.reason : ''
    res.status(errors.length ? 400 : 200).render('appointments/reason', {
      title: 'Schedule an appointment: reason for visit',
      choice,
      slot,
      values: { reason: typed.slice(0, reasonMaxLength * 2) },
      errors,
    })
  }

  router.get('/appointments/new/reason', ...page, async (req, res) => {
    const viewing = await resolveViewing(req, 'appointments')
    const choice = await choiceOrStepBack(req.query, res, viewing)
    if (!choice) return
    const slot = await slotOrTimes(req, res, choice, field(req.query, 'slot'))
    if (!slot) return
    renderReason(req, res, choice, slot, [])
  })

  router.post('/appointments/new/check', ...page, async (req, res) => {
    const viewing = await resolveViewing(req, 'appointments')
    const choice = await choiceOrStepBack(req.body, res, viewing)
    if (!choice) return
    const slot = await slotOrTimes(req, res, choice, field(req.body, 'slot'))
    if (!slot) return
    const form = parseForm(reasonSchema, req.body)
    if (!form.ok) return renderReason(req, res, choice, slot, form.errors)
    res.render('appointments/check', {
      title: 'Schedule an appointment: check your appointment',
      choice,
      slot,
      reason: form.value.reason,
    })
  })

  router.post('/appointments', ...page, async (req, res) => {
    const viewing = await resolveViewing(req, 'appointments')
    const choice = await choiceOrStepBack(req.body, res, viewing)
    if (!choice) return
    const form = parseForm(reasonSchema, req.body)
    if (!form.ok) {
      const slot = await slotOrTimes(req, res, choice, field(req.body, 'slot'))
      if (slot) renderReason(req, res, choice, slot, form.errors)
      return
    }
    try {
      const id = await appointments.book(viewing, {
        visitType: choice.visitType.code,
        provider: String(choice.provider.id),
        slot: field(req.body, 'slot'),
        reason: form.value.reason,
      })
      res.redirect(303, `/appointments/${id}?booked=1`)
    } catch (error) {
      await answerBookingError(req, res, choice, error)
    }
  })

  router.get('/appointments/:id', ...page, async (req, res) => {
    const viewing = await resolveViewing(req, 'appointments')
    const appointment = await appointments.show(viewing, req.params.id)
    const status =
      typeof req.query.booked === 'string' ? 'booked' : typeof req.query.moved === 'string' ? 'moved' : undefined
    res.render('appointments/show', {
      title: `${appointment.visitType.name} on ${formatDay(appointment.startsAt)}`,
      appointment,
      status,
      ...appointments.state(appointment),
    })
  })

  router.get('/appointments/:id/calendar.ics', ...page, async (req, res) => {
    const viewing = await resolveViewing(req, 'appointments')
    const file = await appointments.calendarFile(viewing, req.params.id, req.language)
    res.type('text/calendar; charset=utf-8')
    res.attachment(file.filename)
    res.send(file.body)
  })

  router.get('/appointments/:id/cancel', ...page, async (req, res) => {
    const viewing = await resolveViewing(req, 'appointments')
    const appointment = await appointments.changeable(viewing, req.params.id)
    res.render(appointment.changeAllowed ? 'appointments/cancel' : 'appointments/too-late', {
      title: appointment.changeAllowed ? 'Cancel your appointment' : 'Call the office to cancel',
      appointment,
      action: 'cancel',
    })
  })

  router.post('/appointments/:id/cancel', ...page, async (req, res) => {
    const viewing = await resolveViewing(req, 'appointments')
    try {
      await appointments.cancel(viewing, req.params.id)
      res.redirect(303, '/appointments?cancelled=1')
    } catch (error) {
      if (!(error instanceof TooLateToChangeError)) throw error
      const appointment = await appointments.changeable(viewing, req.params.id)
      res
        .status(409)
        .render('appointments/too-late', { title: 'Call the office to cancel', appointment, action: 'cancel' })
    }
  })

  router.get('/appointments/:id/reschedule', ...page, async (req, res) => {
    const viewing = await resolveViewing(req, 'appointments')
    const appointment = await appointments.changeable(viewing, req.params.id)
    if (!appointment.changeAllowed) {
      return res.render('appointments/too-late', {
        title: 'Call the office to reschedule',
        appointment,
        action: 'reschedule',
      })
    }
    // The week of the current time first: most moves are to a nearby day.
    await renderTimes(req, res, rescheduleChoice(appointment), {
      appointmentId: appointment.id,
      week: weekStartOf(appointment.startsAt),
    })
  })

  router.post('/appointments/:id/reschedule', ...page, async (req, res) => {
    const viewing = await resolveViewing(req, 'appointments')
    const appointment = await appointments.changeable(viewing, req.params.id)
    const choice = rescheduleChoice(appointment)
    try {
      await appointments.reschedule(viewing, req.params.id, field(req.body, 'slot'))
      res.redirect(303, `/appointments/${appointment.id}?moved=1`)
    } catch (error) {
      if (error instanceof TooLateToChangeError) {
        return res.status(409).render('appointments/too-late', {
          title: 'Call the office to reschedule',
          appointment,
          action: 'reschedule',
        })
      }
      await answerBookingError(req, res, choice, error, appointment.id)
    }
  })

  return router
}

function rescheduleChoice(appointment: Awaited<ReturnType<AppointmentService['changeable']>>): BookingChoice {
  return { visitType: appointment.visitType, provider: appointment.provider, isPrimaryCare: false }
}
