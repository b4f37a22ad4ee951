import { translatorFor } from '../platform/i18n'
import { type Email, emailFooter } from '../platform/mail'

/**
 * The notice that a prior authorization changed. It names no service, diagnosis or decision (email is not
 * private enough): the member signs on to read it. Written in the member's preferred language.
 */
export function authorizationChangedMessage(to: string, link: string, helpPhone: string, lang?: string | null): Email {
  const t = translatorFor(lang)
  return {
    to,
    subject: t('emails:authorizationChanged.subject'),
    text: `${t('emails:authorizationChanged.body', { link })}\n\n${emailFooter(t, helpPhone, 'helpQuestions')}`,
  }
}
