import type { Email } from '../platform/mail'

/**
 * The email to a member someone has given access to: who gave it and where to sign on. It never says which
 * tools, nor anything from the records: email is not private enough for health information.
 */
export function accessGrantedMessage(to: string, grantorName: string, signOnUrl: string): Email {
  return {
    to,
    subject: 'You have been given access on Member Portal',
    text: `${grantorName} has given you access to help manage their care on Member Portal.\n\nSign on, then choose their name under "You are viewing" to act for them:\n\n${signOnUrl}\n\nIf you did not expect this, call Member Services at 1-800-555-0100 (TTY 711).\n\nMember Portal\nThis mailbox is not read. Do not reply to this email.`,
  }
}
