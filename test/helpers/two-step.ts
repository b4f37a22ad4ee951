import { demoAuthenticatorKey } from '../../src/demo/seed'
import { appCodeAt, stepAt } from '../../src/two-step/codes'
import type { Services } from '../../src/services'

/**
 * The code the demo staff's authenticator app shows, read from the test's own clock: the earliest step of the
 * three the portal accepts (now and one either side) that has not been used yet, since each code works once.
 */
export async function nextAppCode(services: Services, userId: string, key = demoAuthenticatorKey): Promise<string> {
  const row = await services
    .db('two_step_methods as m')
    .join('users as u', 'u.id', 'm.user_id')
    .where({ 'u.user_id_key': userId.trim().toLowerCase(), 'm.kind': 'app' })
    .first<{ last_step: string | number | null } | undefined>('m.last_step')
  const now = stepAt(services.clock())
  const step = Math.max(now - 1, row?.last_step === null || row === undefined ? now - 1 : Number(row.last_step) + 1)
  if (step > now + 1) throw new Error(`Every code ${userId}'s app shows around now has been used`)
  return appCodeAt(key, new Date(step * 30_000))
}
