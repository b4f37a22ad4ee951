import * as cheerio from 'cheerio'
import { Agent, submitForm } from './app'

export const maria = {
  firstName: 'Maria',
  lastName: 'Garcia',
  'birthDate-day': '14',
  'birthDate-month': '3',
  'birthDate-year': '1985',
  mrn: '11000001',
}

// James Chen has no account either: the demo's member for registering by mail.
export const james: typeof maria = {
  firstName: 'James',
  lastName: 'Chen',
  'birthDate-day': '2',
  'birthDate-month': '11',
  'birthDate-year': '1972',
  mrn: '11000002',
}

// What Maria's roster record says, for the identity questions.
export const mariaRecord = { address: '1200 Harbor Way', doctor: 'Dr. Priya Natarajan', phone: '(510) 555-4417' }

export const mariaCredentials = {
  password: 'seven otters juggling teacups',
  confirmPassword: 'seven otters juggling teacups',
  question1: 'first-pet',
  answer1: 'Biscuit',
  question2: 'parents-met',
  answer2: 'St. Louis',
  question3: 'first-car',
  answer3: 'Honda Civic',
}

/** The radio value whose label is the given text, for each identity question on the page. */
export function identityAnswers(html: string, truth: Record<string, string>, wrong = false): Record<string, string> {
  const $ = cheerio.load(html)
  const answers: Record<string, string> = {}
  $('fieldset').each((_i, fieldset) => {
    const radios = $(fieldset).find('input[type=radio]')
    if (radios.length === 0) return
    const name = radios.first().attr('name')!
    radios.each((_j, radio) => {
      const label = $(`label[for="${$(radio).attr('id')}"]`)
        .text()
        .trim()
      const right = Object.values(truth).includes(label)
      if (right !== wrong && answers[name] === undefined) answers[name] = String($(radio).attr('value'))
    })
  })
  return answers
}

/** Steps 1 to 3 for Maria, leaving the agent on step 4. */
export async function registerUpToSecure(agent: Agent, userId = 'maria.garcia', email = 'maria.garcia@example.com') {
  await submitForm(agent, '/register', maria)
  await submitForm(agent, '/register/terms', { accept: 'yes' })
  return submitForm(agent, '/register/user-id', { userId, email })
}

export async function passIdentityQuestions(agent: Agent) {
  const page = await agent.get('/register/secure')
  return submitForm(agent, '/register/secure', identityAnswers(page.text, mariaRecord))
}
