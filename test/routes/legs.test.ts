import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { authorised, createLeg, createVisit, ifMatch, useTestApp } from '../helper.js'

describe('legs', () => {
  const server = useTestApp()

  it('numbers legs in order when no sequence is given', async () => {
    const visit = await createVisit(server.http)
    const first = await createLeg(server.http, visit.id)
    const second = await createLeg(server.http, visit.slug, { city: 'Shanghai', startDate: '2026-01-06', endDate: '2026-01-07' })
    assert.deepEqual([first.sequence, second.sequence], [1, 2])
  })

  it('creates, reads, patches and deletes a leg', async () => {
    const visit = await createVisit(server.http)
    const created = await server.http.post(`/v1/visits/${visit.id}/legs`).set(authorised).send({
      sequence: 4, city: 'Seoul', country: 'KR', timeZone: 'asia/seoul', startDate: '2026-01-07', endDate: '2026-01-07'
    }).expect(201)
    assert.equal(created.headers.location, `/v1/legs/${created.body.id}`)
    assert.equal(created.body.timeZone, 'Asia/Seoul', 'zone names are stored in their canonical spelling')
    assert.equal(created.body.visitId, visit.id)
    assert.deepEqual((await server.http.get(created.headers.location).expect(200)).body, created.body)

    const patched = await server.http.patch(created.headers.location).set(authorised).set(ifMatch(1)).send({ endDate: '2026-01-08' }).expect(200)
    assert.equal(patched.body.endDate, '2026-01-08')
    assert.equal(patched.body.startDate, '2026-01-07')
    assert.equal(patched.body.version, 2)

    await server.http.delete(created.headers.location).set(authorised).set(ifMatch(2)).expect(204)
    await server.http.get(created.headers.location).expect(404)
  })

  it('refuses a sequence already taken in the visit', async () => {
    const visit = await createVisit(server.http)
    await createLeg(server.http, visit.id, { sequence: 1 })
    const response = await server.http.post(`/v1/visits/${visit.id}/legs`).set(authorised).send({
      sequence: 1, city: 'Shanghai', country: 'CN', timeZone: 'Asia/Shanghai', startDate: '2026-01-06', endDate: '2026-01-07'
    }).expect(409)
    assert.match(String(response.headers['content-type']), /^application\/problem\+json/)
  })

  it('refuses dates in the wrong order and a visit that does not exist', async () => {
    const visit = await createVisit(server.http)
    const backwards = await server.http.post(`/v1/visits/${visit.id}/legs`).set(authorised).send({
      city: 'Beijing', country: 'CN', timeZone: 'Asia/Shanghai', startDate: '2026-01-06', endDate: '2026-01-04'
    }).expect(422)
    assert.equal(backwards.body.errors[0].path, '/body/endDate')
    await server.http.post('/v1/visits/no-such-visit/legs').set(authorised).send({
      city: 'Beijing', country: 'CN', timeZone: 'Asia/Shanghai', startDate: '2026-01-04', endDate: '2026-01-06'
    }).expect(404)
  })
})
