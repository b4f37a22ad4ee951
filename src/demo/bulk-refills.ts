import type { Knex } from 'knex'
import { hashSecret } from '../accounts/passwords'
import { userIdKey } from '../accounts/users'
import { planDate } from '../platform/dates'
import type { Db } from '../platform/db'
import { addCalendarDays } from '../prescriptions/eligibility'

/**
 * Members for the refill benchmark: `members` accounts (user IDs `refill.bench.<n>`, the demo password), each
 * with `medicinesEach` medicines that can all be refilled today. They have no email address, so the notices
 * of their requests are looked up and skipped rather than sent.
 */
export async function createRefillBenchMembers(
  db: Db,
  options: { members: number; medicinesEach: number; password: string; now: Date },
): Promise<{ userId: string; medicationIds: number[] }[]> {
  const passwordHash = await hashSecret(options.password)
  const today = planDate(options.now)
  const template = await db('members').first('clinic_id', 'pcp_provider_id')
  return db.transaction(async (trx: Knex.Transaction) => {
    const created: { userId: string; medicationIds: number[] }[] = []
    for (let n = 1; n <= options.members; n++) {
      const userId = `refill.bench.${n}`
      const [memberId] = await trx('members').insert({
        created_at: options.now,
        mrn: String(29_000_000 + n),
        first_name: 'Bench',
        last_name: `Refill${n}`,
        birth_date: '1970-01-01',
        address_line1: `${n} Benchmark Way`,
        city: 'Oakland',
        state: 'CA',
        zip: '94612',
        phone: '(510) 555-0000',
        clinic_id: template.clinic_id,
        pcp_provider_id: template.pcp_provider_id,
      })
      await trx('users').insert({
        created_at: options.now,
        user_id: userId,
        user_id_key: userIdKey(userId),
        password_hash: passwordHash,
        role: 'member',
        display_name: `Bench Refill${n}`,
        member_id: Number(memberId),
        password_changed_at: options.now,
        terms_version: 'bench',
        terms_accepted_at: options.now,
      })
      const rows = Array.from({ length: options.medicinesEach }, (_, index) => ({
        member_id: Number(memberId),
        rx_number: `RB${String(n).padStart(4, '0')}${String(index).padStart(4, '0')}`,
        name: `Bench medicine ${index + 1} 10 mg tablet`,
        prescriber_provider_id: template.pcp_provider_id,
        sig: 'Take 1 tablet by mouth once a day',
        quantity: 30,
        quantity_unit: 'tablets',
        days_supply: 30,
        refills_left: 5,
        last_filled_on: addCalendarDays(today, -30),
        expires_on: addCalendarDays(today, 300),
        schedule: null,
        status: 'active',
      }))
      await trx('medications').insert(rows)
      const ids = await trx('medications')
        .where({ member_id: Number(memberId) })
        .orderBy('id')
        .pluck('id')
      created.push({ userId, medicationIds: ids.map(Number) })
    }
    return created
  })
}
