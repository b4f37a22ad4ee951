import type { Email } from '../platform/mail'

/**
 * The notice that a prior authorization changed. It names no service, diagnosis or decision (email is not
 * private enough): the member signs on to read it.
 */
export function authorizationChangedMessage(to: string, link: string): Email {
  return {
    to,
    subject: 'An update to a prior authorization on Member Portal',
    text: `There is an update to a prior authorization request on your Member Portal account.\n\nSign on to see it:\n\n${link}\n\nIf you have questions, call Member Services at 1-800-555-0100 (TTY 711).\n\nMember Portal\nThis mailbox is not read. Do not reply to this email.`,
  }
}
