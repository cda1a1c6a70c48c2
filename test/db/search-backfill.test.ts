import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { writeMissingSearchDocuments } from '../../src/db/search.js'
import { createEngagement, createVisit, uniqueSlug, useTestApp } from '../helper.js'

describe('search documents of engagements stored before search existed', () => {
  const server = useTestApp()

  it('are written at start, after which q finds them', async () => {
    const word = uniqueSlug('backfill').replace(/-/g, '')
    const visitId = (await createVisit(server.http)).id
    const engagement = await createEngagement(server.http, visitId, {
      title: `Briefing ${word}`, time: { precision: 'date', localDate: '2026-01-05', timeZone: 'Asia/Shanghai' }
    })
    // What a database migrated from before search looks like.
    await server.app.prisma.$executeRaw`UPDATE engagements SET search_vector = NULL WHERE id = ${engagement.id}::uuid`
    const before = await server.http.get('/v1/engagements').query({ q: word }).expect(200)
    assert.deepEqual(before.body.data, [])

    assert.ok(await writeMissingSearchDocuments(server.app.prisma) >= 1)
    const after = await server.http.get('/v1/engagements').query({ q: word }).expect(200)
    assert.deepEqual(after.body.data.map((item: { id: string }) => item.id), [engagement.id])
    assert.equal(await writeMissingSearchDocuments(server.app.prisma), 0)
  })
})
