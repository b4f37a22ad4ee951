import { setTimeout as sleep } from 'node:timers/promises'
import { demoAuthenticatorKey } from '../../src/demo/seed'
import { appCodeAt, stepAt } from '../../src/two-step/codes'
import type { Services } from '../../src/services'

/**
 * The code the demo staff's authenticator app shows, read from the test's own clock: the current step's code,
 * or the next step's when the current one was used already (each code works once). Never the step before
 * now: a 30-second boundary passing between reading the code and posting it would put that one out of the
 * portal's window (now and one either side). When both are used, waits for the clock to move on.
 */
export async function nextAppCode(services: Services, userId: string, key = demoAuthenticatorKey): Promise<string> {
  for (let waited = 0; ; waited++) {
    const row = await services
      .db('two_step_methods as m')
      .join('users as u', 'u.id', 'm.user_id')
      .where({ 'u.user_id_key': userId.trim().toLowerCase(), 'm.kind': 'app' })
      .first<{ last_step: string | number | null } | undefined>('m.last_step')
    const now = stepAt(services.clock())
    const used = row?.last_step === null || row === undefined ? now - 1 : Number(row.last_step)
    const step = Math.max(now, used + 1)
    if (step <= now + 1) return appCodeAt(key, new Date(step * 30_000))
    if (waited === 65) throw new Error(`Every code ${userId}'s app shows around now has been used`)
    await sleep(1000)
  }
}
