import type { Email } from '../platform/mail'

const help = 'If you did not ask for this, or need help, call Member Services at 1-800-555-0100 (TTY 711).'
const signature = '\n\nMember Portal\nThis mailbox is not read. Do not reply to this email.'

// Account emails carry links and user IDs only: no names, no health information (email is not private enough).

export function verifyEmailMessage(to: string, link: string, validHours: number): Email {
  return {
    to,
    subject: 'Confirm your email address for Member Portal',
    text: `Confirm this email address for your Member Portal account by opening this link:\n\n${link}\n\nThe link works once and expires in ${validHours} hours.\n\n${help}${signature}`,
  }
}

export function userIdReminderMessage(to: string, userId: string, signOnUrl: string): Email {
  return {
    to,
    subject: 'Your Member Portal user ID',
    text: `You asked us to remind you of your Member Portal user ID.\n\nYour user ID is: ${userId}\n\nSign on at ${signOnUrl}\n\n${help}${signature}`,
  }
}

export function passwordResetMessage(to: string, link: string): Email {
  return {
    to,
    subject: 'Reset your Member Portal password',
    text: `You asked to reset your Member Portal password. Open this link to continue:\n\n${link}\n\nThe link works once and expires in 1 hour. You will also be asked two of your secret questions.\n\n${help}${signature}`,
  }
}

export const securityEvents = {
  'password-changed': 'The password for your Member Portal account was changed.',
  'password-reset': 'The password for your Member Portal account was reset through "Forgot password".',
  'secret-questions-changed': 'The secret questions for your Member Portal account were changed.',
  'email-change-requested':
    'Someone asked to change the email address of your Member Portal account. The change takes effect once the new address is confirmed.',
  'temporary-password-used': 'The temporary password mailed to you was used to sign on to your Member Portal account.',
  'two-step-added':
    'A new way to confirm it is you at sign-on (2-step verification) was added to your Member Portal account.',
  'two-step-removed':
    'A way to confirm it is you at sign-on (2-step verification) was removed from your Member Portal account.',
  'recovery-codes-renewed': 'New recovery codes were made for your Member Portal account. The old ones no longer work.',
  'recovery-code-used': 'One of your recovery codes was used to sign on to your Member Portal account.',
  'two-step-reset':
    'A mailed temporary password was used, so 2-step verification was turned off for your Member Portal account. Set it up again in your account settings.',
} as const

export type SecurityEvent = keyof typeof securityEvents

export function securityNoticeMessage(to: string, event: SecurityEvent, when: Date): Email {
  return {
    to,
    subject: 'A change to your Member Portal account',
    text: `${securityEvents[event]}\n\nWhen: ${when.toUTCString()}\n\nIf this was you, there is nothing more to do. Other places where you were signed on have been signed out.\n\nIf this was not you, call Member Services at 1-800-555-0100 (TTY 711) right away.${signature}`,
  }
}

export function signOnCodeMessage(to: string, code: string, validMinutes: number): Email {
  return {
    to,
    subject: 'Your Member Portal sign-on code',
    text: `Your Member Portal sign-on code is ${code}\n\nIt works once and expires in ${validMinutes} minutes. Nobody from the plan will ever ask you for it.\n\n${help}${signature}`,
  }
}
