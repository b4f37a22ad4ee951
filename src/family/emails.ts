import { translatorFor } from '../platform/i18n'
import { type Email, emailFooter } from '../platform/mail'

/**
 * The email to a member someone has given access to: who gave it and where to sign on. It never says which
 * tools, nor anything from the records: email is not private enough for health information. Written in the
 * grantee's preferred language; the grantor's name stays as recorded.
 */
export function accessGrantedMessage(
  to: string,
  grantorName: string,
  signOnUrl: string,
  helpPhone: string,
  lang?: string | null,
): Email {
  const t = translatorFor(lang)
  return {
    to,
    subject: t('emails:accessGranted.subject'),
    text: `${t('emails:accessGranted.body', { grantor: grantorName, signOnUrl })}\n\n${emailFooter(t, helpPhone, 'helpIfNotExpected')}`,
  }
}
