import assert from 'node:assert/strict'
import { randomInt, randomUUID } from 'node:crypto'
import { before, describe, it } from 'node:test'
import { authorised, createEngagement, createLeg, createVisit, ifMatch, useTestApp, type Http } from '../helper.js'

/** Letters only, so that search sees one word, and no other test writes it. */
const uniqueName = (prefix: string) => `${prefix}${randomUUID().replace(/-/g, '').slice(0, 10).replace(/[0-9]/g, (digit) => 'ghijklmnop'[Number(digit)]!)}`
/** A Wikidata id no other test uses (both test passes get a fresh database). */
const uniqueWikidataId = () => `Q${randomInt(100_000_000, 2_000_000_000)}`

interface ParticipantBody {
  id: string
  name: string
  country: string | null
  wikidataId: string | null
  altNames: string[]
  nameTranslations: Record<string, string>
  engagementCount: number
  version: number
}
interface EngagementBody { id: string, visitId: string, participants: Array<{ participantId: string, name: string }> }

async function findParticipants (http: Http, query: Record<string, string | number>, headers: Record<string, string> = {}) {
  const response = await http.get('/v1/participants').set(headers).query(query).expect(200)
  return response.body as { data: ParticipantBody[], nextCursor: string | null }
}

describe('participants', () => {
  const server = useTestApp()
  let visits: Array<{ id: string, slug: string, legId: string }>

  before(async () => {
    visits = []
    for (const [city, startDate] of [['Gyeongju', '2025-10-30'], ['Beijing', '2026-01-04']] as const) {
      const visit = await createVisit(server.http, { startDate, endDate: startDate })
      const leg = await createLeg(server.http, visit.id, { city, country: city === 'Beijing' ? 'CN' : 'KR', timeZone: city === 'Beijing' ? 'Asia/Shanghai' : 'Asia/Seoul', startDate, endDate: startDate })
      visits.push({ ...visit, legId: leg.id })
    }
  })

  /** An engagement on the visit's (only) day with these participants. */
  const meet = (visitIndex: number, participants: Array<Record<string, unknown>>, body: Record<string, unknown> = {}) => {
    const visit = visits[visitIndex]!
    return createEngagement(server.http, visit.id, {
      legId: visit.legId,
      time: { precision: 'date', localDate: visitIndex === 0 ? '2025-10-30' : '2026-01-04' },
      participants: participants.map((participant) => ({ role: 'counterpart', ...participant })),
      ...body
    }) as unknown as Promise<EngagementBody>
  }

  const participant = async (id: string) => (await server.http.get(`/v1/participants/${id}`).expect(200)).body as ParticipantBody

  it('is one record across visits, listing the engagements of both', async () => {
    const name = uniqueName('Xi Jinping ')
    const gyeongju = await meet(0, [{ name, country: 'CN' }])
    const beijing = await meet(1, [{ name: name.toUpperCase() }])
    const id = gyeongju.participants[0]!.participantId
    assert.equal(beijing.participants[0]!.participantId, id)

    const record = await participant(id)
    assert.deepEqual({ ...record, createdAt: undefined, updatedAt: undefined }, {
      id, name, country: 'CN', wikidataId: null, altNames: [], nameTranslations: {}, engagementCount: 2, version: 1, createdAt: undefined, updatedAt: undefined
    })
    const listed = await server.http.get(`/v1/participants/${id}/engagements`).query({ tz: 'America/New_York' }).expect(200)
    assert.deepEqual(listed.body.data.map((item: EngagementBody) => item.visitId), [visits[0]!.id, visits[1]!.id])
    assert.ok(listed.body.data.every((item: { viewer?: unknown }) => item.viewer !== undefined))
    const first = await server.http.get(`/v1/participants/${id}/engagements`).query({ limit: 1 }).expect(200)
    assert.deepEqual(first.body.data.map((item: EngagementBody) => item.id), [gyeongju.id])
    const second = await server.http.get(`/v1/participants/${id}/engagements`).query({ limit: 1, cursor: first.body.nextCursor }).expect(200)
    assert.deepEqual(second.body.data.map((item: EngagementBody) => item.id), [beijing.id])
    assert.equal(second.body.nextCursor, null)

    await server.http.get(`/v1/participants/${randomUUID()}`).expect(404)
    await server.http.get(`/v1/participants/${randomUUID()}/engagements`).expect(404)
    await server.http.get('/v1/participants/not-a-uuid').expect(400)
  })

  it('sends an ETag and honours If-None-Match', async () => {
    const created = await meet(1, [{ name: uniqueName('Cached ') }])
    const path = `/v1/participants/${created.participants[0]!.participantId}`
    const etag = String((await server.http.get(path).expect(200)).headers.etag)
    assert.match(etag, /^"v1-/)
    await server.http.get(path).set('If-None-Match', etag).expect(304)
  })

  describe('found by name', () => {
    const word = uniqueName('zq')
    const names = [`Beta${word}`, `Beta ${word}`, `${word} Alpha`, word]

    before(async () => {
      await meet(1, names.map((name) => ({ name })))
    })

    it('ranks the whole name, then names starting with q, then a word starting with it, then q anywhere', async () => {
      for (const q of [word, word.toUpperCase(), ` ${word} `]) {
        assert.deepEqual((await findParticipants(server.http, { q })).data.map((item) => item.name), [word, `${word} Alpha`, `Beta ${word}`, `Beta${word}`], q)
      }
      assert.deepEqual((await findParticipants(server.http, { q: word.slice(1, -1) })).data.map((item) => item.name).sort(), [...names].sort())
    })

    it('pages through matches without duplicates or gaps', async () => {
      const seen: string[] = []
      let cursor: string | null = null
      do {
        const page: { data: ParticipantBody[], nextCursor: string | null } = await findParticipants(server.http, { q: word, limit: 1, ...(cursor === null ? {} : { cursor }) })
        seen.push(...page.data.map((item) => item.name))
        cursor = page.nextCursor
      } while (cursor !== null)
      assert.deepEqual(seen, [word, `${word} Alpha`, `Beta ${word}`, `Beta${word}`])
    })

    it('ignores accents, and finds alternative and translated names', async () => {
      const name = `Zoë Ångström ${uniqueName('')}`
      const created = await meet(1, [{ name, nameTranslations: { ko: '조에 옹스트룀', zh: '佐伊·昂斯特伦' } }])
      const id = created.participants[0]!.participantId
      for (const q of ['zoe angstrom', 'ZOË ÅNGSTRÖM', 'angstr', '昂斯特', '옹스트']) {
        assert.ok((await findParticipants(server.http, { q, limit: 200 })).data.some((item) => item.id === id), q)
      }
      const alias = uniqueName('Zoey Angstrem ')
      const read = await participant(id)
      await server.http.patch(`/v1/participants/${id}`).set(authorised).set(ifMatch(read.version)).send({ altNames: [alias] }).expect(200)
      assert.deepEqual((await findParticipants(server.http, { q: alias.slice(0, -2) })).data.map((item) => item.id), [id])
    })

    it('refuses q without a letter or digit, and a cursor that is not its own', async () => {
      const response = await server.http.get('/v1/participants').query({ q: '%_*' }).expect(400)
      assert.equal(response.body.errors[0].path, '/query/q')
      const cursor = Buffer.from(JSON.stringify(['2026-01-04T00:00:00.000Z', randomUUID()])).toString('base64url')
      await server.http.get('/v1/participants').query({ cursor }).expect(400)
    })

    it('treats LIKE wildcards in q as the characters they are', async () => {
      assert.deepEqual((await findParticipants(server.http, { q: `${word}%` })).data, [])
      assert.deepEqual((await findParticipants(server.http, { q: `_${word}` })).data, [])
    })
  })

  describe('PATCH /v1/participants/{id}', () => {
    let id: string
    let engagementId: string

    before(async () => {
      const created = await meet(1, [{ name: uniqueName('Patched ') }])
      id = created.participants[0]!.participantId
      engagementId = created.id
    })

    it('needs If-Match: 428 without, 412 when stale, 200 with the current version', async () => {
      const read = await server.http.get(`/v1/participants/${id}`).expect(200)
      const etag = String(read.headers.etag)
      await server.http.patch(`/v1/participants/${id}`).set(authorised).send({ country: 'CN' }).expect(428)
      await server.http.patch(`/v1/participants/${id}`).set(authorised).set(ifMatch(read.body.version + 1)).send({ country: 'CN' }).expect(412)
      const patched = await server.http.patch(`/v1/participants/${id}`).set(authorised).set('If-Match', etag).send({ country: 'CN' }).expect(200)
      assert.equal(patched.body.version, read.body.version + 1)
      assert.equal(patched.body.country, 'CN')
      assert.notEqual(patched.headers.etag, etag)
      await server.http.patch(`/v1/participants/${id}`).set(authorised).set('If-Match', etag).send({ country: 'KR' }).expect(412)
      await server.http.patch(`/v1/participants/${id}`).set(ifMatch(patched.body.version)).send({ country: 'KR' }).expect(401)
    })

    it('renames, sets a Wikidata id, alternative and translated names; search follows at once', async () => {
      const name = uniqueName('Renamed ')
      const wikidataId = uniqueWikidataId()
      const read = await participant(id)
      const patched = await server.http.patch(`/v1/participants/${id}`).set(authorised).set(ifMatch(read.version)).send({
        name, wikidataId, altNames: ['Alias One'], nameTranslations: { 'ZH-hans': '改名' }
      }).expect(200)
      assert.equal(patched.body.name, name)
      assert.equal(patched.body.wikidataId, wikidataId)
      assert.deepEqual(patched.body.altNames, ['Alias One'])
      assert.deepEqual(patched.body.nameTranslations, { 'zh-Hans': '改名' })
      const engagement = await server.http.get(`/v1/engagements/${engagementId}`).expect(200)
      assert.equal(engagement.body.participants[0].name, name)
      const found = await server.http.get('/v1/engagements').query({ q: name }).expect(200)
      assert.deepEqual(found.body.data.map((item: EngagementBody) => item.id), [engagementId])
      const byTranslation = await server.http.get('/v1/engagements').query({ q: '改名', limit: 200 }).expect(200)
      assert.ok(byTranslation.body.data.some((item: EngagementBody) => item.id === engagementId))
      // Clearing the Wikidata id is a change too.
      await server.http.patch(`/v1/participants/${id}`).set(authorised).set(ifMatch(patched.body.version)).send({ wikidataId: null }).expect(200)
    })

    it('refuses a Wikidata id or a name that belongs to someone else (409), and malformed fields (400)', async () => {
      const wikidataId = uniqueWikidataId()
      const otherName = uniqueName('Other ')
      await meet(1, [{ name: otherName, wikidataId }])
      const read = await participant(id)
      const send = (body: Record<string, unknown>) => server.http.patch(`/v1/participants/${id}`).set(authorised).set(ifMatch(read.version)).send(body)
      const taken = await send({ wikidataId }).expect(409)
      assert.match(taken.body.detail, new RegExp(`${wikidataId} already belongs to participant`))
      await send({ name: otherName.toLowerCase() }).expect(409)
      for (const body of [
        { wikidataId: 'Q0' }, { wikidataId: 'q42' }, { wikidataId: 'Q42a' },
        { altNames: Array.from({ length: 21 }, (_, index) => `Alias ${index}`) }, { altNames: ['Same', 'Same'] }, { altNames: [''] },
        { nameTranslations: { 'not a tag': 'x' } }, { nameTranslations: { zz1234567890: 'x' } },
        { nameTranslations: Object.fromEntries(Array.from({ length: 21 }, (_, index) => [`x-a${index}`, 'x'])) },
        { nameTranslations: { ko: 'x', KO: 'y' } }, {}, { unknown: 1 }
      ]) {
        await send(body).expect(400)
      }
      assert.equal((await participant(id)).version, read.version, 'nothing was written')
    })
  })

  describe('identity on engagement writes', () => {
    it('finds a person by wikidataId first, whatever the spelling', async () => {
      const wikidataId = uniqueWikidataId()
      const first = await meet(0, [{ name: uniqueName('Moon Jae '), wikidataId }])
      const second = await meet(1, [{ name: uniqueName('Mun Jae-in '), wikidataId }])
      const id = first.participants[0]!.participantId
      assert.equal(second.participants[0]!.participantId, id)
      assert.equal((await participant(id)).engagementCount, 2)
    })

    it('gives a known person their wikidataId, and refuses another one for them', async () => {
      const name = uniqueName('Han Duck ')
      const known = await meet(0, [{ name }])
      const id = known.participants[0]!.participantId
      const wikidataId = uniqueWikidataId()
      await meet(1, [{ name, wikidataId }])
      const record = await participant(id)
      assert.equal(record.wikidataId, wikidataId)
      assert.equal(record.version, 2)
      const response = await server.http.post(`/v1/visits/${visits[1]!.id}/engagements`).set(authorised).send({
        title: 'Talks', kind: 'talks', legId: visits[1]!.legId, time: { precision: 'date', localDate: '2026-01-04' },
        participants: [{ name, role: 'counterpart', wikidataId: uniqueWikidataId() }]
      }).expect(409)
      assert.match(response.body.detail, new RegExp(`whose Wikidata id is ${wikidataId}`))
    })

    it('finds a person by an alternative name, and refuses the same person twice in one engagement', async () => {
      const name = uniqueName('Kim Hyun ')
      const alias = uniqueName('Gim Hyeon ')
      const known = await meet(0, [{ name }])
      const id = known.participants[0]!.participantId
      await server.http.patch(`/v1/participants/${id}`).set(authorised).set(ifMatch(1)).send({ altNames: [alias] }).expect(200)
      const byAlias = await meet(1, [{ name: alias.toUpperCase() }])
      assert.equal(byAlias.participants[0]!.participantId, id)
      assert.equal(byAlias.participants[0]!.name, name)
      const twice = await server.http.post(`/v1/visits/${visits[1]!.id}/engagements`).set(authorised).send({
        title: 'Talks', kind: 'talks', legId: visits[1]!.legId, time: { precision: 'date', localDate: '2026-01-04' },
        participants: [{ name, role: 'counterpart' }, { name: alias, role: 'guest' }]
      }).expect(400)
      assert.equal(twice.body.errors[0].path, '/body/participants/1')
      assert.equal((await participant(id)).engagementCount, 2)
    })

    it('keeps the current behaviour otherwise: a new name is a new person', async () => {
      const created = await meet(0, [{ name: uniqueName('New Person ') }, { name: uniqueName('Another Person ') }])
      assert.notEqual(created.participants[0]!.participantId, created.participants[1]!.participantId)
    })
  })

  describe('under embargo', () => {
    it('a person first named under embargo is a draft of that engagement, which only read:embargoed shows', async () => {
      const name = uniqueName('Secret Envoy ')
      const created = await meet(1, [{ name }], { embargoUntil: '2100-01-01T00:00:00Z' })
      const id = created.participants[0]!.participantId
      await server.http.get(`/v1/participants/${id}`).expect(404)
      await server.http.get(`/v1/participants/${id}/engagements`).expect(404)
      assert.deepEqual((await findParticipants(server.http, { q: name })).data, [])
      const withToken = await server.http.get(`/v1/participants/${id}`).set(authorised).expect(200)
      assert.equal(withToken.body.engagementCount, 1)
      assert.deepEqual((await findParticipants(server.http, { q: name }, authorised)).data.map((item) => item.id), [id])

      // A public engagement naming them gets the published record; the draft stays the embargoed
      // engagement's own until it is published, and the two are one person then.
      const open = await meet(1, [{ name }])
      const publishedId = open.participants[0]!.participantId
      assert.notEqual(publishedId, id)
      assert.equal((await participant(publishedId)).engagementCount, 1)
      await server.http.get(`/v1/participants/${id}`).expect(404)
      assert.deepEqual((await findParticipants(server.http, { q: name })).data.map((item) => item.id), [publishedId])
      assert.deepEqual((await findParticipants(server.http, { q: name }, authorised)).data.map((item) => item.id).sort(), [id, publishedId].sort())
    })
  })
})
