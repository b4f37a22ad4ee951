export const secretQuestions = {
  'first-pet': 'What was the name of your first pet?',
  'third-grade-street': 'What street did you live on in third grade?',
  'childhood-friend': 'What is the first name of your childhood best friend?',
  'first-teacher': 'What was the last name of your first teacher?',
  'first-car': 'What was the make and model of your first car?',
  'parents-met': 'In what city did your parents meet?',
  'first-job': 'Where was your first job?',
  'childhood-book': 'What was your favorite book as a child?',
} as const

export type SecretQuestionKey = keyof typeof secretQuestions

export const secretQuestionKeys = Object.keys(secretQuestions) as SecretQuestionKey[]

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
