import type { TFunction } from 'i18next'
import nodemailer from 'nodemailer'

export interface Email {
  to: string
  subject: string
  text: string
  /** Set by `SentEmails` before the handover, so a resend after a crash carries the same one. */
  messageId?: string
}

export interface Mailer {
  send(email: Email): Promise<void>
  close(): void
}

export type EmailHelp = 'help' | 'helpIfNotAsked' | 'helpIfNotExpected' | 'helpQuestions'

/**
 * How every email ends, in the recipient's language (`translatorFor(lang)`): whom to call (Member Services,
 * HELP_PHONE as config has it, plain text: an email has no link to dial), then the portal's name and that
 * nobody reads replies.
 */
export function emailFooter(t: TFunction, helpPhone: string, help: EmailHelp = 'help'): string {
  return `${t(`emails:footer.${help}`, { phone: helpPhone })}\n\n${t('emails:footer.signature')}`
}

/** The closing words alone, for an email whose own last line already says whom to call. */
export function emailSignature(t: TFunction): string {
  return t('emails:footer.signature')
}

/**
 * Every email the portal sends is made by a program, not written by a person, and says so (RFC 3834 §5): an
 * out-of-office or vacation responder must not answer it, so members' auto-replies do not come back to the
 * portal's no-reply address. Exchange and Outlook read their own header for the same purpose ([MS-OXCMAIL]).
 */
export const automaticEmailHeaders = {
  'Auto-Submitted': 'auto-generated',
  'X-Auto-Response-Suppress': 'All',
} as const

/** Email over SMTP (nodemailer). Messages are plain text: they say what to do, never health information. */
export function createMailer(smtpUrl: string, from: string): Mailer {
  const transport = nodemailer.createTransport(smtpUrl)
  return {
    async send(email) {
      await transport.sendMail({
        from,
        to: email.to,
        subject: email.subject,
        text: email.text,
        headers: automaticEmailHeaders,
        ...(email.messageId ? { messageId: email.messageId } : {}),
      })
    },
    close() {
      transport.close()
    },
  }
}

/** The address in a From value: `Member Portal <no-reply@memberportal.example>` → `no-reply@memberportal.example`. */
export function emailAddressOf(from: string): string {
  return (/<([^<>\s]+@[^<>\s]+)>\s*$/.exec(from)?.[1] ?? from).trim()
}
