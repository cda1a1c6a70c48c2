// The content version (migration content_version) is what cached reads trust to tell whether
// anything they show has changed: every committed write to a table a read shows must raise it,
// once per transaction, and nothing else may.
import assert from 'node:assert/strict'
import { after, before, describe, it } from 'node:test'
import pg from 'pg'
import { readContentState, sharedContentStateReader } from '../../src/db/content-version.js'
import type { Db } from '../../src/db/client.js'
import { setImmediate as afterThisTurn } from 'node:timers/promises'
import { authorised, createEngagement, createLeg, createVisit, databaseUrl, useTestApp } from '../helper.js'

describe('the content version', () => {
  const server = useTestApp()
  const client = new pg.Client({ connectionString: databaseUrl() })
  let engagementId: string
  let visitId: string

  before(async () => {
    await client.connect()
    visitId = (await createVisit(server.http)).id
    const legId = (await createLeg(server.http, visitId)).id
    engagementId = (await createEngagement(server.http, visitId, {
      legId,
      time: { precision: 'date', localDate: '2026-01-05', timeZone: 'Asia/Shanghai' },
      venue: { name: 'Diaoyutai State Guesthouse', city: 'Beijing', country: 'CN' },
      participants: [{ name: 'Wang Yi', role: 'counterpart' }],
      sources: [{ title: 'Pool report' }]
    })).id
  })
  after(() => client.end())

  const version = async () => BigInt((await client.query<{ version: string }>('SELECT version::text FROM content_version')).rows[0]!.version)

  async function raisedBy (statements: string[], end: 'COMMIT' | 'ROLLBACK' = 'COMMIT'): Promise<bigint> {
    const before = await version()
    await client.query('BEGIN')
    for (const statement of statements) await client.query(statement, statement.includes('$1') ? [engagementId] : [])
    await client.query(end)
    return (await version()) - before
  }

  // A no-op update is still a write: no test here depends on the values.
  const touches: Record<string, string> = {
    visits: `UPDATE visits SET title = title WHERE id = (SELECT visit_id FROM engagements WHERE id = $1)`,
    legs: 'UPDATE legs SET city = city WHERE id = (SELECT leg_id FROM engagements WHERE id = $1)',
    engagements: 'UPDATE engagements SET title = title WHERE id = $1',
    venues: 'UPDATE venues SET name = name WHERE id = (SELECT venue_id FROM engagements WHERE id = $1)',
    participants: 'UPDATE participants SET name = name WHERE id IN (SELECT participant_id FROM engagement_participants WHERE engagement_id = $1)',
    engagement_participants: 'UPDATE engagement_participants SET role = role WHERE engagement_id = $1',
    sources: 'UPDATE sources SET title = title WHERE engagement_id = $1'
  }

  for (const [table, statement] of Object.entries(touches)) {
    it(`is raised by a committed write to ${table}, and not by one rolled back`, async () => {
      assert.equal(await raisedBy([statement]), 1n)
      assert.equal(await raisedBy([statement], 'ROLLBACK'), 0n)
    })
  }

  it('is raised once by a transaction that writes to every table', async () => {
    assert.equal(await raisedBy(Object.values(touches)), 1n)
  })

  it('is raised by every write of the API, and not by reads', async () => {
    const before = await version()
    await server.http.get(`/v1/visits/${visitId}/itinerary`).expect(200)
    await server.http.get('/v1/changes').expect(200)
    assert.equal(await version(), before)
    await server.http.patch(`/v1/engagements/${engagementId}`).set(authorised).set('If-Match', '"v1"').send({ title: 'Renamed' }).expect(200)
    assert.ok(await version() > before)
  })

  it('is read with the latest ended embargo, by the application clock', async () => {
    const db = server.app.prisma as unknown as Db
    const until = new Date('2030-01-01T00:00:00.000Z')
    await client.query('UPDATE engagements SET embargo_until = $2 WHERE id = $1', [engagementId, until])
    const beforeEnd = await readContentState(db, new Date(until.getTime() - 1))
    const atEnd = await readContentState(db, until)
    assert.notEqual(beforeEnd, atEnd)
    assert.match(atEnd, new RegExp(`/${until.getTime()}$`))
  })
})

describe('the shared content state reader', () => {
  /** A db whose reads finish when told to, recording when each started. */
  function controlledDb () {
    const started: Array<() => void> = []
    let reads = 0
    const db = {
      async $queryRaw () {
        const number = ++reads
        await new Promise<void>((resolve) => started.push(resolve))
        return [{ version: String(number), embargo_ended: null }]
      }
    }
    return { db: db as unknown as Db, started, reads: () => reads }
  }

  // Turns of the event loop, not a timer: on a busy machine a timer can come due before the
  // reader's turn has run. A few turns, since the reader waits for one after a promise settles.
  async function turnsUntil (condition: () => boolean) {
    for (let turn = 0; turn < 10 && !condition(); turn++) await afterThisTurn()
  }

  it('gives callers that ask together one read, and a caller never a read that started before it asked', async () => {
    const { db, started, reads } = controlledDb()
    const read = sharedContentStateReader(db)
    const together = [read(), read(), read()]
    await turnsUntil(() => reads() === 1)
    assert.equal(reads(), 1)
    // Asked while the first read runs: it waits for a read of its own, which starts only then.
    const later = read()
    await turnsUntil(() => reads() > 1)
    assert.equal(reads(), 1, 'one read at a time')
    started.shift()!()
    assert.deepEqual(await Promise.all(together), ['1/-', '1/-', '1/-'])
    await turnsUntil(() => reads() === 2)
    assert.equal(reads(), 2)
    started.shift()!()
    assert.equal(await later, '2/-')
  })
})
