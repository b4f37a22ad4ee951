import type { Email } from '../platform/mail'

/**
 * The only email about office messages. It says that something is waiting and how to sign on — never the
 * subject, the words, the topic, a medicine, a test or the department (which could reveal a condition).
 */
export function newMessageNotice(to: string, signOnUrl: string): Email {
  return {
    to,
    subject: 'You have a new message in Member Portal',
    text:
      `There is a new message for you in Member Portal.\n\n` +
      `To read it, sign on at ${signOnUrl} and open Messages.\n\n` +
      `You can turn these emails off in your account settings after you sign on.\n\n` +
      `If you need help, call Member Services at 1-800-555-0100 (TTY 711).\n\n` +
      `Member Portal\nThis mailbox is not read. Do not reply to this email.`,
  }
}
