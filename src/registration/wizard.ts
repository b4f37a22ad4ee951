import type { Language } from '../platform/i18n'
import type { IdentityQuestion } from './identity-questions'

/** What the wizard remembers between steps, in the server-side session only. */
export interface RegistrationState {
  memberId: number
  firstName: string
  lastName: string
  termsAcceptedAt?: number
  userId?: string
  email?: string
  verificationId?: number
  // The language chosen at step 3, for the member's record when the account is made.
  preferredLanguage?: Language
  identity?: { questions: IdentityQuestion[]; failedAttempts: number; passed: boolean }
  completedUserId?: string
  completedByMail?: boolean
  // When a registration page was last used (the clock's milliseconds): answers are kept for a while after.
  lastActiveAt: number
}

declare module 'express-session' {
  interface SessionData {
    registration?: RegistrationState
    registrationNotice?: string
  }
}

/** Whether the answers have outlived the registration window, by the given clock time. */
export function registrationLapsed(state: RegistrationState, now: number, windowMinutes: number): boolean {
  return now - state.lastActiveAt > windowMinutes * 60_000
}

export const steps = [
  { path: '/register', title: 'registration:steps.membership' },
  { path: '/register/terms', title: 'registration:steps.terms' },
  { path: '/register/user-id', title: 'registration:steps.userId' },
  { path: '/register/secure', title: 'registration:steps.confirm' },
  { path: '/register/secure/password', title: 'registration:steps.password' },
  { path: '/register/done', title: 'registration:steps.done' },
] as const

export type StepPath = (typeof steps)[number]['path']

/** The first step not yet done: a later step redirects here, so none can be reached out of order. */
export function firstUnfinishedStep(state: RegistrationState | undefined): StepPath {
  if (!state) return '/register'
  if (state.completedUserId) return '/register/done'
  if (state.completedByMail) return '/register'
  if (!state.termsAcceptedAt) return '/register/terms'
  if (!state.userId || !state.email) return '/register/user-id'
  if (!state.identity?.passed) return '/register/secure'
  return '/register/secure/password'
}

export function stepIndex(path: StepPath): number {
  return steps.findIndex((step) => step.path === path)
}

/** Where a visitor asking for `path` should go instead, or undefined when they may see it. */
export function redirectFor(state: RegistrationState | undefined, path: StepPath): StepPath | undefined {
  const unfinished = firstUnfinishedStep(state)
  if (state?.completedUserId) return path === '/register/done' ? undefined : '/register/done'
  return stepIndex(path) > stepIndex(unfinished) ? unfinished : undefined
}

/** "Step 2 of 5": the brochure's five steps; the two parts of step 4 share a number. */
export function stepNumber(path: StepPath): number {
  return Math.min(stepIndex(path) + 1, 4) + (path === '/register/done' ? 1 : 0)
}
