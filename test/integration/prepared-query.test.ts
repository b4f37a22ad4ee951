import assert from 'node:assert/strict'
import { preparedQuery } from '../../src/platform/db'
import { ViewingRepository } from '../../src/viewing/repository'
import { useTestApp } from '../helpers/app'

describe('queries compiled once (preparedQuery)', () => {
  const { services } = useTestApp({ keepRedis: true })
  const { db } = services

  it('puts each run’s values where the placeholders were and keeps the query’s own values', async () => {
    let builds = 0
    const members = preparedQuery<[string, string]>(db, 2, (first, last) => {
      builds += 1
      return db('members')
        .where('first_name', first)
        .orWhere((where) => where.where('last_name', last).where('mrn', '<>', ''))
        .orderBy('id')
        .select('first_name', 'last_name')
    })
    const alex = await members('Alex', 'nobody')
    const pats = await members('nobody', 'Rivera')
    assert.deepEqual(
      alex.map((row) => row.first_name),
      ['Alex'],
    )
    assert.ok(pats.length > 1, 'every Rivera, not the first run’s answer')
    assert.ok(pats.every((row) => row.last_name === 'Rivera'))
    assert.equal(builds, 1, 'the builder ran once')
    // A hostile value is a value: it is bound, never spliced into the SQL.
    assert.deepEqual(await members("x' or '1'='1", "y' or '1'='1"), [])
  })

  it('answers whom each member may act for, each with their own summary, run after run', async () => {
    const repository = new ViewingRepository(db)
    const ids = (await db('members').orderBy('id').pluck('id')) as number[]
    for (const id of ids) {
      const relations = await repository.relationsOf(id)
      const children = (await db('guardianships').where('guardian_member_id', id).pluck('child_member_id')) as number[]
      assert.deepEqual(relations.children.map((child) => child.memberId).sort(), children.sort(), `member ${id}`)
      assert.equal(relations.self?.summary.id, id)
      for (const child of relations.children) assert.equal(child.summary.id, child.memberId)
      for (const grant of relations.grants) assert.equal(grant.summary.id, grant.grantorMemberId)
    }
  })
})
