import { translatorFor } from '../platform/i18n'
import { type Email, emailFooter } from '../platform/mail'

/**
 * The only email about a refill request. It says nothing about the medicine, the condition or the pharmacy:
 * email is not private enough for health information. Written in the recipient's preferred language.
 */
export function refillUpdateMessage(to: string, signOnUrl: string, helpPhone: string, lang?: string | null): Email {
  const t = translatorFor(lang)
  return {
    to,
    subject: t('emails:refillUpdate.subject'),
    text: `${t('emails:refillUpdate.body', { link: signOnUrl })}\n\n${emailFooter(t, helpPhone)}`,
  }
}
