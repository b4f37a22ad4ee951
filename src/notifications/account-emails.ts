import { formatDateTime } from '../platform/dates'
import { languageOf, translatorFor } from '../platform/i18n'
import { type Email, emailFooter, emailSignature } from '../platform/mail'

// Account emails carry links and user IDs only: no names, no health information (email is not private enough).
// Each is written in the recipient's language (their member's preferred language; staff read English) and
// gives Member Services' number from config (HELP_PHONE), which its sender passes in.

export function verifyEmailMessage(
  to: string,
  link: string,
  validHours: number,
  helpPhone: string,
  lang?: string | null,
): Email {
  const t = translatorFor(lang)
  return {
    to,
    subject: t('emails:verifyEmail.subject'),
    text: `${t('emails:verifyEmail.body', { link, count: validHours })}\n\n${emailFooter(t, helpPhone, 'helpIfNotAsked')}`,
  }
}

export function userIdReminderMessage(
  to: string,
  userId: string,
  signOnUrl: string,
  helpPhone: string,
  lang?: string | null,
): Email {
  const t = translatorFor(lang)
  return {
    to,
    subject: t('emails:userIdReminder.subject'),
    text: `${t('emails:userIdReminder.body', { userId, signOnUrl })}\n\n${emailFooter(t, helpPhone, 'helpIfNotAsked')}`,
  }
}

export function passwordResetMessage(to: string, link: string, helpPhone: string, lang?: string | null): Email {
  const t = translatorFor(lang)
  return {
    to,
    subject: t('emails:passwordReset.subject'),
    text: `${t('emails:passwordReset.body', { link })}\n\n${emailFooter(t, helpPhone, 'helpIfNotAsked')}`,
  }
}

/** What each security notice says happened: a message key in the emails namespace. */
export const securityEvents = {
  'password-changed': 'emails:securityNotice.events.passwordChanged',
  'password-reset': 'emails:securityNotice.events.passwordReset',
  'secret-questions-changed': 'emails:securityNotice.events.secretQuestionsChanged',
  'email-change-requested': 'emails:securityNotice.events.emailChangeRequested',
  'temporary-password-used': 'emails:securityNotice.events.temporaryPasswordUsed',
  'two-step-added': 'emails:securityNotice.events.twoStepAdded',
  'two-step-removed': 'emails:securityNotice.events.twoStepRemoved',
  'recovery-codes-renewed': 'emails:securityNotice.events.recoveryCodesRenewed',
  'recovery-code-used': 'emails:securityNotice.events.recoveryCodeUsed',
  'two-step-reset': 'emails:securityNotice.events.twoStepReset',
} as const

export type SecurityEvent = keyof typeof securityEvents

export function securityNoticeMessage(
  to: string,
  event: SecurityEvent,
  when: Date,
  helpPhone: string,
  lang?: string | null,
): Email {
  const t = translatorFor(lang)
  return {
    to,
    subject: t('emails:securityNotice.subject'),
    text: [
      t(securityEvents[event]),
      t('emails:securityNotice.when', { when: formatDateTime(when, languageOf(lang) ?? 'en') }),
      t('emails:securityNotice.body', { phone: helpPhone }),
      emailSignature(t),
    ].join('\n\n'),
  }
}

export function signOnCodeMessage(
  to: string,
  code: string,
  validMinutes: number,
  helpPhone: string,
  lang?: string | null,
): Email {
  const t = translatorFor(lang)
  return {
    to,
    subject: t('emails:signOnCode.subject'),
    text: `${t('emails:signOnCode.body', { code, count: validMinutes })}\n\n${emailFooter(t, helpPhone, 'helpIfNotAsked')}`,
  }
}
