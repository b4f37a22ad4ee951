import { translatorFor } from '../platform/i18n'
import { type Email, emailFooter } from '../platform/mail'

/**
 * The only email about office messages. It says that something is waiting and how to sign on — never the
 * subject, the words, the topic, a medicine, a test or the department (which could reveal a condition).
 * Written in the recipient's preferred language.
 */
export function newMessageNotice(to: string, signOnUrl: string, helpPhone: string, lang?: string | null): Email {
  const t = translatorFor(lang)
  return {
    to,
    subject: t('emails:newMessage.subject'),
    text: `${t('emails:newMessage.body', { signOnUrl })}\n\n${t('emails:footer.turnOff')}\n\n${emailFooter(t, helpPhone)}`,
  }
}
