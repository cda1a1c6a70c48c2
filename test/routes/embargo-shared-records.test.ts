// What an engagement under embargo says about shared venues and people stays with it until it is
// published, at the embargo instant or when the embargo is lifted: until then no public read,
// search, feed, ETag or version changes, and no answer to a token without read:embargoed carries
// a hidden record's id, title or details.
import assert from 'node:assert/strict'
import { randomUUID } from 'node:crypto'
import { setTimeout as sleep } from 'node:timers/promises'
import { before, describe, it } from 'node:test'
import { authorised, createLeg, createVisit, useTestApp, type Http } from '../helper.js'

const WRITER = { Authorization: 'Bearer shared-writer-1' }
const EMBARGO_READER = { Authorization: 'Bearer shared-reader-1' }
const FAR_FUTURE = '2100-01-01T00:00:00.000Z'
const SECRET_REASON = 'Under embargo until the palace confirms'

interface Participant { participantId: string, name: string, country: string | null }
interface Venue { id: string, name: string, address: string | null, latitude: number | null, nameTranslations: Record<string, string> }
interface Engagement { id: string, version: number, venue: Venue | null, participants: Participant[], embargoUntil: string | null }
interface Change { sequence: number, entityId: string, visitId: string, actor: string, reason: string | null, summary: string }

const unique = (prefix: string) => `${prefix} ${randomUUID().slice(0, 8)}`
const wikidataId = () => `Q${Math.floor(Math.random() * 1e12) + 1}`

async function post (http: Http, visitId: string, headers: Record<string, string>, body: Record<string, unknown>, reason?: string) {
  const request = http.post(`/v1/visits/${visitId}/engagements`).set(headers)
  if (reason !== undefined) request.set('Change-Reason', reason)
  const response = await request.send({ title: 'Talks', kind: 'talks', time: { precision: 'date', localDate: '2026-01-05' }, ...body })
  assert.equal(response.status, 201, JSON.stringify(response.body))
  return response.body as Engagement
}

async function read (http: Http, id: string, headers: Record<string, string> = {}) {
  const response = await http.get(`/v1/engagements/${id}`).set(headers).expect(200)
  return { body: response.body as Engagement, etag: response.headers.etag as string }
}

async function changesSince (http: Http, since: string, headers: Record<string, string> = {}): Promise<Change[]> {
  const changes: Change[] = []
  for (let cursor = since; ;) {
    const body = (await http.get('/v1/changes').query({ since: cursor, limit: 200 }).set(headers).expect(200)).body as { data: Change[], nextCursor: string, hasMore: boolean }
    changes.push(...body.data)
    cursor = body.nextCursor
    if (!body.hasMore) return changes
  }
}

async function cursorNow (http: Http) {
  return (await http.get('/v1/changes').query({ since: 'now' }).expect(200)).body.nextCursor as string
}

async function searchIds (http: Http, q: string, headers: Record<string, string> = {}) {
  return ((await http.get('/v1/engagements').query({ q }).set(headers).expect(200)).body.data as Engagement[]).map((item) => item.id)
}

async function eventually (check: () => Promise<boolean>, what: string, timeoutMs = 5000) {
  const deadline = Date.now() + timeoutMs
  while (!await check()) {
    assert.ok(Date.now() < deadline, `${what} within ${timeoutMs} ms`)
    await sleep(100)
  }
}

describe('shared venues and people under embargo', () => {
  const server = useTestApp({ extraTokens: new Map([
    ['shared-writer', { secret: 'shared-writer-1', scopes: ['write'] }],
    ['shared-reader', { secret: 'shared-reader-1', scopes: ['read:embargoed'] }]
  ]) })
  let visitId: string
  let legId: string
  // A public engagement at a venue, with a person, that a hidden write then names.
  let venue: { name: string, city: string, country: string }
  let person: string
  let seen: Engagement
  let seenEtag: string

  before(async () => {
    const visit = await createVisit(server.http)
    visitId = visit.id
    legId = (await createLeg(server.http, visitId)).id
    venue = { name: unique('Diaoyutai'), city: 'Beijing', country: 'CN' }
    person = unique('Wang Yi')
    seen = await post(server.http, visitId, authorised, {
      legId, title: 'Public talks', venue: { ...venue, address: 'Old address' }, participants: [{ name: person, role: 'counterpart' }]
    })
    ;({ body: seen, etag: seenEtag } = await read(server.http, seen.id))
  })

  /** What the hidden write sends: new details of the known venue and person, and a venue and a person nobody has yet. */
  function hiddenBody (embargoUntil: string, names: { newVenue: string, newPerson: string, translation: string }) {
    return {
      legId,
      title: 'Secret summit',
      embargoUntil,
      venue: { ...venue, address: 'Secret address', latitude: 39.93, nameTranslations: { ko: names.translation } },
      participants: [
        { name: person, role: 'counterpart', country: 'CN', nameTranslations: { ko: names.translation } },
        { name: names.newPerson, role: 'guest', country: 'KP', wikidataId: wikidataId(), nameTranslations: { ko: `${names.translation} 2` } }
      ]
    }
  }

  it('change nothing public until the embargo is lifted, and then reach everything through change records', async () => {
    const cursor = await cursorNow(server.http)
    const itineraryEtag = (await server.http.get(`/v1/visits/${visitId}/itinerary`).expect(200)).headers.etag
    const names = { newVenue: unique('Secret villa'), newPerson: unique('Kim Yo Jong'), translation: unique('비밀') }
    const hidden = await post(server.http, visitId, WRITER, hiddenBody(FAR_FUTURE, names), SECRET_REASON)
    const draftPersonId = hidden.participants[1]?.participantId as string

    // The public engagement at the same venue, with the same person, is as it was.
    for (const headers of [{}, WRITER]) {
      const now = await read(server.http, seen.id, headers)
      assert.equal(now.body.version, seen.version)
      assert.equal(now.body.venue?.address, 'Old address')
      assert.equal(now.body.venue?.latitude, null)
      assert.deepEqual(now.body.venue?.nameTranslations, {})
      assert.equal(now.body.participants[0]?.country, null)
    }
    assert.equal((await server.http.get(`/v1/engagements/${seen.id}`).set('If-None-Match', seenEtag)).status, 304, 'the same ETag')
    assert.equal((await server.http.get(`/v1/visits/${visitId}/itinerary`).set('If-None-Match', itineraryEtag as string)).status, 304)
    // No change record, no search hit, no participant record says anything of it.
    const publicChanges = await changesSince(server.http, cursor)
    assert.deepEqual(publicChanges.filter((change) => change.visitId === visitId), [])
    assert.equal(publicChanges.some((change) => change.reason === SECRET_REASON), false)
    assert.deepEqual(await searchIds(server.http, names.translation), [])
    assert.deepEqual(await searchIds(server.http, names.newPerson, WRITER), [])
    assert.deepEqual((await server.http.get('/v1/participants').query({ q: names.newPerson }).set(WRITER).expect(200)).body.data, [])
    await server.http.get(`/v1/participants/${draftPersonId}`).set(WRITER).expect(404)

    // The embargoed engagement shows what it was sent, to those who may see it.
    const inside = (await read(server.http, hidden.id, EMBARGO_READER)).body
    assert.equal(inside.venue?.id, seen.venue?.id, 'the same venue')
    assert.equal(inside.venue?.address, 'Secret address')
    assert.deepEqual(inside.venue?.nameTranslations, { ko: names.translation })
    assert.equal(inside.participants[0]?.participantId, seen.participants[0]?.participantId, 'the same person')
    assert.equal(inside.participants[0]?.country, 'CN')
    assert.deepEqual(await searchIds(server.http, names.translation, EMBARGO_READER), [hidden.id])

    // A public write naming the same venue and the new person learns nothing the hidden one said.
    const named = await post(server.http, visitId, WRITER, {
      legId, title: 'Open forum', venue, participants: [{ name: names.newPerson, role: 'attendee' }]
    })
    assert.equal(named.venue?.address, 'Old address')
    assert.deepEqual(named.venue?.nameTranslations, {})
    const newPerson = named.participants[0] as Participant
    assert.notEqual(newPerson.participantId, draftPersonId, 'not the hidden engagement\'s record')
    assert.equal(newPerson.country, null)
    const asRecord = (await server.http.get(`/v1/participants/${newPerson.participantId}`).set(WRITER).expect(200)).body
    assert.deepEqual([asRecord.wikidataId, asRecord.nameTranslations, asRecord.engagementCount], [null, {}, 1])
    assert.doesNotMatch(JSON.stringify(named), new RegExp(`${hidden.id}|${draftPersonId}|Secret`))

    // Lifting the embargo publishes all of it, as a public write would, with change records.
    const current = await read(server.http, hidden.id, authorised)
    const lifted = await server.http.patch(`/v1/engagements/${hidden.id}`).set(authorised).set('If-Match', current.etag)
      .set('Change-Reason', 'Announced by the palace').send({ embargoUntil: null }).expect(200)
    const published = lifted.body as Engagement
    assert.equal(published.participants[1]?.participantId, newPerson.participantId, 'the draft joined the person published meanwhile')
    const after = await read(server.http, seen.id)
    assert.equal(after.body.version, seen.version + 1)
    assert.equal(after.body.venue?.address, 'Secret address')
    assert.equal(after.body.participants[0]?.country, 'CN')
    const person2 = (await server.http.get(`/v1/participants/${newPerson.participantId}`).expect(200)).body
    assert.equal(person2.country, 'KP')
    assert.equal(person2.engagementCount, 2)
    await server.http.get(`/v1/participants/${draftPersonId}`).set(authorised).expect(404)
    assert.deepEqual((await searchIds(server.http, names.translation)).sort(), [hidden.id, seen.id, named.id].sort())
    const feed = (await changesSince(server.http, cursor)).filter((change) => change.visitId === visitId)
    const update = feed.find((change) => change.entityId === seen.id)
    assert.ok(update !== undefined, 'the public engagement\'s change is in the feed')
    assert.equal(update.reason, 'Announced by the palace')
    assert.match(update.summary, /address/)
  })

  it('publish what a hidden write said within a second or two of the embargo instant, under its author', async () => {
    const cursor = await cursorNow(server.http)
    const names = { newVenue: unique('Villa'), newPerson: unique('Choe Son Hui'), translation: unique('정오') }
    // Long enough for the checks before it on a busy machine, short enough to wait for.
    const liftsAt = Date.now() + 2500
    const before = await read(server.http, seen.id)
    const hidden = await post(server.http, visitId, WRITER, {
      ...hiddenBody(new Date(liftsAt).toISOString(), names),
      venue: { ...venue, address: 'Address at noon' }
    }, SECRET_REASON)
    assert.equal((await read(server.http, seen.id)).body.venue?.address, before.body.venue?.address)
    assert.ok(Date.now() < liftsAt, 'the checks ran before the embargo ended')

    await sleep(liftsAt - Date.now())
    await eventually(async () => (await read(server.http, seen.id)).body.venue?.address === 'Address at noon', 'the venue is published')
    const published = await read(server.http, hidden.id)
    assert.equal(published.body.participants[1]?.name, names.newPerson)
    const person2 = (await server.http.get(`/v1/participants/${published.body.participants[1]?.participantId}`).expect(200)).body
    assert.deepEqual([person2.country, person2.engagementCount], ['KP', 1])
    const feed = (await changesSince(server.http, cursor)).filter((change) => change.visitId === visitId)
    assert.deepEqual(feed.filter((change) => change.entityId === hidden.id).map((change) => change.actor), ['shared-writer'])
    const fanOut = feed.find((change) => change.entityId === seen.id)
    assert.equal(fanOut?.reason, SECRET_REASON, 'public now, under the words of the write that said it')
  })

  it('a change that alters nothing the engagements show leaves their versions alone', async () => {
    const name = unique('Cai Qi')
    const first = await post(server.http, visitId, authorised, { legId, participants: [{ name, role: 'counterpart' }] })
    const second = await post(server.http, visitId, authorised, { legId, title: 'Second talks', participants: [{ name, role: 'counterpart', nameTranslations: { fr: 'Cai Qi (fr)' } }] })
    assert.equal((await read(server.http, first.id)).body.version, first.version, 'a name in another language is not shown without ?lang=')
    const id = second.participants[0]?.participantId as string
    const record = await server.http.get(`/v1/participants/${id}`).expect(200)
    await server.http.patch(`/v1/participants/${id}`).set(authorised).set('If-Match', record.headers.etag as string)
      .send({ nameTranslations: { fr: 'Cai Qi', de: 'Cai Qi (de)' } }).expect(200)
    for (const engagement of [first, second]) {
      assert.equal((await read(server.http, engagement.id)).body.version, engagement.version)
    }
    const inFrench = (await server.http.get(`/v1/engagements/${first.id}`).query({ lang: 'de' }).expect(200)).body as Engagement
    assert.equal(inFrench.participants[0]?.name, 'Cai Qi (de)', 'the translation is there for whoever asks')
  })
})

describe('refusals that must not give away what is hidden', () => {
  const server = useTestApp({ extraTokens: new Map([['shared-writer', { secret: 'shared-writer-1', scopes: ['write'] }]]) })

  it('a 409 over a person seen only under embargo names nobody', async () => {
    const visit = await createVisit(server.http)
    const secretName = unique('Secret Envoy')
    // Of their own: other runs on the same database must not hold these Wikidata ids.
    const [secretWikidataId, otherWikidataId] = [wikidataId(), wikidataId()]
    // Public first, so a published record exists, then embargoed again: the person is now seen only under embargo.
    const met = await post(server.http, visit.id, authorised, { title: 'Talks with the envoy', participants: [{ name: secretName, role: 'counterpart', wikidataId: secretWikidataId }], time: { precision: 'date', timeZone: 'Asia/Seoul', localDate: '2026-01-05' } })
    const current = await read(server.http, met.id)
    await server.http.patch(`/v1/engagements/${met.id}`).set(authorised).set('If-Match', current.etag).send({ embargoUntil: FAR_FUTURE }).expect(200)
    const secretId = met.participants[0]?.participantId as string

    const other = await post(server.http, visit.id, WRITER, { title: 'Other talks', participants: [{ name: unique('Someone'), role: 'guest' }], time: { precision: 'date', timeZone: 'Asia/Seoul', localDate: '2026-01-06' } })
    const otherId = other.participants[0]?.participantId as string
    const record = await server.http.get(`/v1/participants/${otherId}`).expect(200)
    for (const patch of [{ name: secretName }, { wikidataId: secretWikidataId }]) {
      const refused = await server.http.patch(`/v1/participants/${otherId}`).set(WRITER).set('If-Match', record.headers.etag as string).send(patch).expect(409)
      assert.doesNotMatch(JSON.stringify(refused.body), new RegExp(`${secretId}|Talks with the envoy|${met.id}`))
      assert.doesNotMatch(refused.body.detail, new RegExp(`\\(${secretName}\\)`))
    }
    const refusedOnWrite = await server.http.post(`/v1/visits/${visit.id}/engagements`).set(WRITER).send({
      title: 'Talks', kind: 'talks', time: { precision: 'date', timeZone: 'Asia/Seoul', localDate: '2026-01-06' },
      participants: [{ name: secretName, role: 'guest', wikidataId: otherWikidataId }]
    }).expect(409)
    assert.doesNotMatch(JSON.stringify(refusedOnWrite.body), new RegExp(`${secretId}|${secretWikidataId}|${met.id}`))
    // To a token that may see the engagement, the same refusal says who it is.
    const named = await server.http.patch(`/v1/participants/${otherId}`).set(authorised).set('If-Match', record.headers.etag as string).send({ name: secretName }).expect(409)
    assert.match(named.body.detail, new RegExp(secretId))
  })

  it('deleting a leg that holds only hidden engagements is refused in the words used for any engagement', async () => {
    const visit = await createVisit(server.http)
    const [hiddenLeg, openLeg] = [await createLeg(server.http, visit.id), await createLeg(server.http, visit.id, { city: 'Shanghai', timeZone: 'Asia/Shanghai' })]
    const secret = await post(server.http, visit.id, WRITER, { legId: hiddenLeg.id, title: 'Secret dinner', embargoUntil: FAR_FUTURE })
    await post(server.http, visit.id, WRITER, { legId: openLeg.id, title: 'Open dinner' })
    const detailOf = async (leg: { id: string }) => {
      const current = await server.http.get(`/v1/legs/${leg.id}`).expect(200)
      const refused = await server.http.delete(`/v1/legs/${leg.id}`).set(WRITER).set('If-Match', current.headers.etag as string).expect(409)
      assert.doesNotMatch(JSON.stringify(refused.body), new RegExp(`${secret.id}|Secret dinner`))
      return (refused.body.detail as string).replace(leg.id, '<leg>')
    }
    assert.equal(await detailOf(hiddenLeg), await detailOf(openLeg))
  })
})
