/**
 * The secret questions a member may choose, each as its message key: the words, in English and Spanish, are in
 * locales/<language>/accounts.json ("secretQuestions"). Only the key is stored, so a member who changes language
 * sees their questions in the new one; answers are compared as typed, in whatever language they were given.
 */
export const secretQuestions = {
  'first-pet': 'accounts:secretQuestions.first-pet',
  'third-grade-street': 'accounts:secretQuestions.third-grade-street',
  'childhood-friend': 'accounts:secretQuestions.childhood-friend',
  'first-teacher': 'accounts:secretQuestions.first-teacher',
  'first-car': 'accounts:secretQuestions.first-car',
  'parents-met': 'accounts:secretQuestions.parents-met',
  'first-job': 'accounts:secretQuestions.first-job',
  'childhood-book': 'accounts:secretQuestions.childhood-book',
} as const

export type SecretQuestionKey = keyof typeof secretQuestions

export const secretQuestionKeys = Object.keys(secretQuestions) as SecretQuestionKey[]

/** Every question as the forms list it: its key, and its text as a message key for the page to translate. */
export const secretQuestionList = Object.entries(secretQuestions).map(([key, text]) => ({ key, text }))

/** A stored question key's message key; an unknown key (from before a question was retired) is shown as is. */
export function secretQuestionText(key: string): string {
  return isSecretQuestionKey(key) ? secretQuestions[key] : key
}

export function isSecretQuestionKey(candidate: unknown): candidate is SecretQuestionKey {
  return typeof candidate === 'string' && candidate in secretQuestions
}

/** Answers compare without regard to case, accents, punctuation or extra spaces ("St. Louis" = "st louis"). */
export function normaliseAnswer(answer: string): string {
  return answer
    .normalize('NFKD')
    .replace(/\p{M}/gu, '')
    .toLowerCase()
    .replace(/[^\p{L}\p{N}]+/gu, ' ')
    .trim()
}
