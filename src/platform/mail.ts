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
        ...(email.messageId ? { messageId: email.messageId } : {}),
      })
    },
    close() {
      transport.close()
    },
  }
}
