import assert from 'node:assert/strict'
import { AuditLog } from '../../src/platform/audit'
import { fixedClock } from '../../src/platform/clock'
import { closeServices, resetWithDemoPlan, testServices } from '../helpers/app'

describe('the audit log', () => {
  const clock = fixedClock(new Date('2026-11-25T15:00:00Z'))
  const services = testServices({ clock })
  const audit = new AuditLog(services.db, clock)

  before(() => resetWithDemoPlan(services))
  beforeEach(() => services.db('audit_log').delete())
  after(() => closeServices(services))

  const view = (n: number, action = 'lab-result.list') => ({
    actorUserId: null,
    action,
    targetType: 'lab-result',
    requestId: `burst-${n}`,
  })

  /** Counts the INSERTs into audit_log that the database is sent while `work` runs. */
  async function insertsDuring(work: () => Promise<unknown>): Promise<number> {
    let inserts = 0
    const count = (query: { sql: string }) => {
      if (/^insert into `audit_log`/i.test(query.sql)) inserts += 1
    }
    services.db.on('query', count)
    try {
      await work()
    } finally {
      services.db.off('query', count)
    }
    return inserts
  }

  it('has every row of a burst of page views in the table before each caller goes on, in fewer INSERTs', async () => {
    const inserts = await insertsDuring(() =>
      Promise.all(
        Array.from({ length: 50 }, async (_, n) => {
          await audit.record(view(n))
          const row = await services
            .db('audit_log')
            .where({ request_id: `burst-${n}` })
            .first()
          assert.ok(row, `row ${n} is written when record() returns`)
        }),
      ),
    )
    assert.equal(
      await services
        .db('audit_log')
        .count({ n: '*' })
        .first()
        .then((row) => Number(row?.n)),
      50,
    )
    assert.ok(inserts < 50, `${inserts} INSERTs for 50 rows`)
  })

  it('writes a view recorded alone at once, with the time it was recorded', async () => {
    await audit.record(view(1))
    const row = await services.db('audit_log').where({ request_id: 'burst-1' }).first()
    assert.equal(new Date(row.at).getTime(), clock().getTime())
  })

  it('fails only the call whose row cannot be written, and writes the others', async () => {
    const outcomes = await Promise.allSettled(
      Array.from({ length: 10 }, (_, n) => audit.record(view(n, n === 4 ? 'x'.repeat(200) : 'lab-result.list'))),
    )
    assert.deepEqual(
      outcomes.map((outcome) => outcome.status),
      outcomes.map((_, n) => (n === 4 ? 'rejected' : 'fulfilled')),
    )
    const written = await services.db('audit_log').orderBy('id').pluck('request_id')
    assert.deepEqual(
      [...written].sort(),
      Array.from({ length: 10 }, (_, n) => `burst-${n}`)
        .filter((id) => id !== 'burst-4')
        .sort(),
    )
  })
})
