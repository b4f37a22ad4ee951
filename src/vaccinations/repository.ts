import type { Knex } from 'knex'
import type { Db } from '../platform/db'
import type { ImmunizationRecord } from './types'

/** A member's immunization history. Every query takes the member id and filters by it. */
export class ImmunizationRepository {
  constructor(private readonly db: Db) {}

  /** Oldest first, as school and camp forms list them. */
  async list(memberId: number, trx: Knex.Transaction | Db = this.db): Promise<ImmunizationRecord[]> {
    const rows = await trx('immunizations')
      .where({ member_id: memberId })
      .orderBy('administered_on', 'asc')
      .orderBy('vaccine_name', 'asc')
      .orderBy('id', 'asc')
      .select('id', 'vaccine_name', 'cvx_code', 'dose', 'administered_on', 'given_at')
    return rows.map((row) => ({
      id: Number(row.id),
      vaccineName: row.vaccine_name,
      cvxCode: row.cvx_code,
      dose: row.dose,
      administeredOn: row.administered_on,
      givenAt: row.given_at,
    }))
  }

  async find(
    memberId: number,
    id: number,
    trx: Knex.Transaction | Db = this.db,
  ): Promise<ImmunizationRecord | undefined> {
    return (await this.list(memberId, trx)).find((record) => record.id === id)
  }
}
