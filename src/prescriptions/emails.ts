import type { Email } from '../platform/mail'

/**
 * The only email about a refill request. It says nothing about the medicine, the condition or the pharmacy:
 * email is not private enough for health information.
 */
export function refillUpdateMessage(to: string, signOnUrl: string): Email {
  return {
    to,
    subject: 'An update on your prescription request',
    text: `There is an update on your prescription request. Sign on to see it:\n\n${signOnUrl}\n\nIf you need help, call Member Services at 1-800-555-0100 (TTY 711).\n\nMember Portal\nThis mailbox is not read. Do not reply to this email.`,
  }
}
