import assert from 'node:assert/strict'
import supertest from 'supertest'
import { securityEvents, securityNoticeMessage, signOnCodeMessage } from '../../src/notifications/account-emails'
import { accessGrantedMessage } from '../../src/family/emails'
import { newResultNotice } from '../../src/labs/notices'
import { newMessageNotice } from '../../src/messages/emails'
import { fixedClock } from '../../src/platform/clock'
import { refillUpdateMessage } from '../../src/prescriptions/emails'
import { authorizationChangedMessage } from '../../src/prior-authorizations/emails'
import { submitForm } from '../helpers/app'
import { useBackground } from '../helpers/background'

const commonEnglish = /\b(the|your|you|sign on|this|and|call|email)\b/i

describe('emails in the recipient’s language', () => {
  describe('each email', () => {
    const url = 'https://portal.example/sign-on'
    const helpPhone = '1-800-555-0100 (TTY 711)'
    const spanish = [
      newMessageNotice('a@example.com', url, helpPhone, 'es'),
      refillUpdateMessage('a@example.com', url, helpPhone, 'es'),
      accessGrantedMessage('a@example.com', 'Pat Rivera', url, helpPhone, 'es'),
      authorizationChangedMessage('a@example.com', url, helpPhone, 'es'),
      newResultNotice('a@example.com', url, true, helpPhone, 'es'),
      signOnCodeMessage('a@example.com', '123456', 10, helpPhone, 'es'),
      ...Object.keys(securityEvents).map((event) =>
        securityNoticeMessage(
          'a@example.com',
          event as keyof typeof securityEvents,
          new Date('2026-12-07T18:30:00Z'),
          helpPhone,
          'es',
        ),
      ),
    ]

    it('reads in Spanish for a member who prefers Spanish, subject and body, with the footer', () => {
      for (const email of spanish) {
        assert.doesNotMatch(email.subject, commonEnglish, email.subject)
        assert.doesNotMatch(email.text.replace(/https?:\S+|Member Portal|Pat Rivera/g, ''), commonEnglish, email.text)
        assert.match(email.text, /Servicio a los Miembros al 1-800-555-0100 \(TTY 711\)/)
        assert.match(email.text, /Member Portal\nNadie lee este buzón\. No responda a este correo electrónico\.$/)
      }
    })

    it('keeps the English words for everyone else, and names people as recorded', () => {
      const english = accessGrantedMessage('a@example.com', 'Pat Rivera', url, helpPhone)
      assert.equal(english.subject, 'You have been given access on Member Portal')
      assert.match(english.text, /^Pat Rivera has given you access/)
      assert.match(
        accessGrantedMessage('a@example.com', 'Pat Rivera', url, helpPhone, 'es').text,
        /^Pat Rivera le dio acceso/,
      )
      assert.equal(
        newMessageNotice('a@example.com', url, helpPhone, 'en').text,
        'There is a new message for you in Member Portal.\n\nTo read it, sign on at https://portal.example/sign-on and open Messages.\n\n' +
          'You can turn these emails off in your account settings after you sign on.\n\n' +
          'If you need help, call Member Services at 1-800-555-0100 (TTY 711).\n\n' +
          'Member Portal\nThis mailbox is not read. Do not reply to this email.',
      )
    })

    it('dates a security notice in the plan’s time zone, in the reader’s words', () => {
      const when = new Date('2026-12-07T18:30:00Z')
      assert.match(
        securityNoticeMessage('a@example.com', 'password-changed', when, helpPhone, 'es').text,
        /^Se cambió la contraseña de su cuenta de Member Portal\.\n\nCuándo: 7 de diciembre de 2026, a las 10:30 a\.\s?m\., hora del Pacífico/,
      )
      assert.match(
        securityNoticeMessage('a@example.com', 'password-changed', when, helpPhone).text,
        /When: December 7, 2026 at 10:30 a\.m\. Pacific time/,
      )
    })

    it('counts minutes with the language’s plural', () => {
      assert.match(signOnCodeMessage('a@example.com', '123456', 1, helpPhone, 'es').text, /vence en 1 minuto\./)
      assert.match(signOnCodeMessage('a@example.com', '123456', 10, helpPhone, 'es').text, /vence en 10 minutos\./)
    })
  })

  describe('sent by the workers', () => {
    const context = useBackground({
      clock: fixedClock(new Date('2026-11-25T15:00:00Z')),
      startAt: new Date('2026-11-25T15:00:00Z'),
    })
    const alexDetails = {
      firstName: 'Alex',
      lastName: 'Rivera',
      'birthDate-day': '21',
      'birthDate-month': '06',
      'birthDate-year': '1980',
      mrn: '11000003',
    }

    it('sends the user ID reminder in Spanish to a member who prefers Spanish', async () => {
      await context.background.services.db('members').where({ mrn: '11000003' }).update({ preferred_language: 'es' })
      await submitForm(supertest.agent(context.app), '/forgot-user-id', alexDetails)
      const email = await context.background.mail.waitFor((message) => message.to === 'alex.rivera@example.com')
      assert.equal(email.subject, 'Su ID de usuario de Member Portal')
      assert.match(email.text, /Su ID de usuario es: alex\.rivera/)
      assert.match(email.text, /Si usted no pidió esto, o si necesita ayuda, llame a Servicio a los Miembros/)
    })

    it('sends it in English to a member who prefers English, whatever the page’s language', async () => {
      const agent = supertest.agent(context.app)
      await agent.get('/language?to=es').expect(303)
      await submitForm(agent, '/forgot-user-id', alexDetails)
      const email = await context.background.mail.waitFor((message) => message.to === 'alex.rivera@example.com')
      assert.equal(email.subject, 'Your Member Portal user ID')
      assert.match(email.text, /Your user ID is: alex\.rivera/)
    })
  })
})
