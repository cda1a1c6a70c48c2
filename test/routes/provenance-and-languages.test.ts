import assert from 'node:assert/strict'
import { before, describe, it } from 'node:test'
import { loadDemoVisit } from '../../src/demo/load-demo-visit.js'
import { authorised, createEngagement, createLeg, createVisit, ifMatch, uniqueSlug, useTestApp } from '../helper.js'

interface EngagementBody {
  id: string
  title: string
  originalTitle?: string
  titleTranslations: Record<string, string>
  confirmation: string
  announcedAt: string | null
  pressAccess: string
  time: { precision: string, startsAt: string, endsAt: string, localDate: string, label: string, zonedStart: string }
  participants: Array<{ name: string, originalName?: string }>
  sources: Array<{ kind: string }>
}

describe('confirmation, announcedAt, press access and source kinds', () => {
  const server = useTestApp()
  let visitId: string
  let legId: string
  before(async () => {
    visitId = (await createVisit(server.http)).id
    legId = (await createLeg(server.http, visitId)).id
  })

  it('defaults to unconfirmed, unknown press access, no announcement, sources of kind other', async () => {
    const created = await createEngagement(server.http, visitId, {
      legId, time: { precision: 'date', localDate: '2026-01-05' }, sources: [{ title: 'A report' }]
    }) as unknown as EngagementBody
    assert.equal(created.confirmation, 'unconfirmed')
    assert.equal(created.pressAccess, 'unknown')
    assert.equal(created.announcedAt, null)
    assert.deepEqual(created.sources.map((source) => source.kind), ['other'])
  })

  it('stores them as sent, clears announcedAt with null, and filters on each', async () => {
    const tag = uniqueSlug('provenance')
    const pooled = await createEngagement(server.http, visitId, {
      legId,
      title: `Pool spray ${tag}`,
      time: { precision: 'part_of_day', localDate: '2026-01-05', partOfDay: 'afternoon' },
      confirmation: 'confirmed',
      announcedAt: '2026-01-02T09:00:00+09:00',
      pressAccess: 'pool',
      sources: [{ title: 'Pool report 3', kind: 'pool_report' }, { title: 'Presidential office', kind: 'official' }]
    }) as unknown as EngagementBody
    assert.equal(pooled.confirmation, 'confirmed')
    assert.equal(pooled.announcedAt, '2026-01-02T00:00:00.000Z')
    assert.equal(pooled.pressAccess, 'pool')
    assert.deepEqual(pooled.sources.map((source) => source.kind), ['pool_report', 'official'])
    const closed = await createEngagement(server.http, visitId, {
      legId, title: `Closed dinner ${tag}`, time: { precision: 'date', localDate: '2026-01-05' }, confirmation: 'reported', pressAccess: 'closed'
    })

    const ids = async (query: Record<string, string>) => {
      const response = await server.http.get('/v1/engagements').query({ visit: visitId, ...query }).expect(200)
      return (response.body.data as EngagementBody[]).map((engagement) => engagement.id).filter((id) => id === pooled.id || id === closed.id)
    }
    assert.deepEqual(await ids({ pressAccess: 'pool' }), [pooled.id])
    assert.deepEqual(await ids({ pressAccess: 'pool,closed' }).then((found) => found.sort()), [pooled.id, closed.id].sort())
    assert.deepEqual(await ids({ confirmation: 'reported' }), [closed.id])
    assert.deepEqual(await ids({ sourceKind: 'official' }), [pooled.id])
    assert.deepEqual(await ids({ precision: 'part_of_day' }), [pooled.id])
    assert.deepEqual(await ids({ announcedSince: '2026-01-01T00:00:00Z' }), [pooled.id])
    assert.deepEqual(await ids({ announcedSince: '2026-01-03T00:00:00Z' }), [])

    const cleared = await server.http.patch(`/v1/engagements/${pooled.id}`).set(authorised).set(ifMatch(1))
      .send({ announcedAt: null, confirmation: 'announced', pressAccess: 'open' }).expect(200)
    assert.equal(cleared.body.announcedAt, null)
    assert.equal(cleared.body.confirmation, 'announced')
    assert.equal(cleared.body.pressAccess, 'open')
  })

  it('refuses unknown values with a 400 naming the parameter or field', async () => {
    const query = await server.http.get('/v1/engagements').query({ pressAccess: 'pool,secret' }).expect(400)
    assert.equal(query.body.errors[0].path, '/query/pressAccess')
    assert.match(query.body.detail, /"secret" is not a pressAccess; use one of: open, pool, closed, unknown/)
    const body = await server.http.post(`/v1/visits/${visitId}/engagements`).set(authorised)
      .send({ title: 'x', kind: 'talks', legId, time: { precision: 'date', localDate: '2026-01-05' }, confirmation: 'rumoured' }).expect(400)
    assert.equal(body.body.errors[0].path, '/body/confirmation')
  })
})

describe('time to be decided', () => {
  const server = useTestApp()
  let visitId: string
  let legId: string
  before(async () => {
    visitId = (await createVisit(server.http)).id
    legId = (await createLeg(server.http, visitId, { startDate: '2026-01-04', endDate: '2026-01-06' })).id
  })

  it('with a day: the whole local day, labelled, never a made-up hour', async () => {
    const created = await createEngagement(server.http, visitId, { legId, time: { precision: 'tbd', localDate: '2026-01-06' } }) as unknown as EngagementBody
    assert.equal(created.time.precision, 'tbd')
    assert.equal(created.time.startsAt, '2026-01-05T16:00:00.000Z')
    assert.equal(created.time.endsAt, '2026-01-06T16:00:00.000Z')
    assert.equal(created.time.label, 'Tuesday 6 January 2026, time to be announced')
  })

  it('without a day: the leg\'s stay, or the visit\'s dates for an engagement without a leg', async () => {
    const inLeg = await createEngagement(server.http, visitId, { legId, time: { precision: 'tbd' } }) as unknown as EngagementBody
    assert.equal(inLeg.time.label, 'Date to be announced, between Sunday 4 January 2026 and Tuesday 6 January 2026')
    assert.equal(inLeg.time.zonedStart, '2026-01-04T00:00:00+08:00[Asia/Shanghai]')
    const inVisit = await createEngagement(server.http, visitId, { time: { precision: 'tbd', timeZone: 'Asia/Seoul' } }) as unknown as EngagementBody
    assert.equal(inVisit.time.startsAt, '2026-01-03T15:00:00.000Z')
    assert.equal(inVisit.time.endsAt, '2026-01-07T15:00:00.000Z')

    const listed = await server.http.get('/v1/engagements').query({ visit: visitId, precision: 'tbd' }).expect(200)
    assert.ok((listed.body.data as EngagementBody[]).every((engagement) => engagement.time.precision === 'tbd'))
    assert.ok((listed.body.data as EngagementBody[]).some((engagement) => engagement.id === inVisit.id))
  })

  it('keeps the writer\'s label, and refuses an hour with tbd', async () => {
    const labelled = await createEngagement(server.http, visitId, {
      legId, time: { precision: 'tbd', localDate: '2026-01-05', label: 'After the summit, time not yet set' }
    }) as unknown as EngagementBody
    assert.equal(labelled.time.label, 'After the summit, time not yet set')
    const refused = await server.http.post(`/v1/visits/${visitId}/engagements`).set(authorised)
      .send({ title: 'x', kind: 'talks', legId, time: { precision: 'tbd', localStart: '2026-01-05T10:00' } }).expect(400)
    assert.equal(refused.body.errors[0].path, '/body/time/localStart')
  })
})

describe('translations', () => {
  const server = useTestApp()
  const slug = uniqueSlug('lee-jae-myung-china-2026')
  before(async () => {
    await loadDemoVisit(server.app.prisma, slug)
  })

  const summitOf = (engagements: EngagementBody[]) => {
    const summit = engagements.find((engagement) => engagement.titleTranslations.ko !== undefined && engagement.time.precision === 'part_of_day')
    assert.ok(summit, 'the demo summit has translations')
    return summit
  }

  it('keeps the original by default and lists the translations', async () => {
    const response = await server.http.get('/v1/engagements').query({ visit: slug, kind: 'summit' }).expect(200)
    const summit = summitOf(response.body.data)
    assert.equal(summit.title, 'Summit with President Xi Jinping')
    assert.equal(summit.originalTitle, undefined)
    assert.deepEqual(summit.titleTranslations, { ko: '시진핑 국가주석과 정상회담', zh: '与习近平主席会谈' })
    assert.deepEqual(summit.participants.map((participant) => participant.name), ['Lee Jae Myung', 'Xi Jinping'])
  })

  it('?lang=ko gives Korean titles and names, each original beside it', async () => {
    const response = await server.http.get(`/v1/visits/${slug}/itinerary`).query({ lang: 'ko' }).expect(200)
    assert.equal(response.body.visit.title, '이재명 대통령 중국 국빈 방문')
    assert.equal(response.body.visit.originalTitle, 'State visit of President Lee Jae Myung to China')
    const engagements = (response.body.legs as Array<{ days: Array<{ engagements: EngagementBody[] }> }>)
      .flatMap((leg) => leg.days.flatMap((day) => day.engagements))
    const summit = summitOf(engagements)
    assert.equal(summit.title, '시진핑 국가주석과 정상회담')
    assert.equal(summit.originalTitle, 'Summit with President Xi Jinping')
    assert.deepEqual(summit.participants.map((participant) => [participant.name, participant.originalName]), [
      ['이재명', 'Lee Jae Myung'], ['시진핑', 'Xi Jinping']
    ])
    const names = new Set(engagements.flatMap((engagement) => engagement.participants.map((participant) => participant.name)))
    for (const name of ['자오러지', '리창', '천지닝']) assert.ok(names.has(name), `${name} among ${[...names].join(', ')}`)
    // Untranslated titles stay as entered, with the original repeated so clients need not guess.
    const forum = engagements.find((engagement) => engagement.originalTitle === 'Korea-China business forum')
    assert.equal(forum?.title, 'Korea-China business forum')
  })

  it('falls back from zh-Hans-CN to zh, and keeps the original for a language without translations', async () => {
    const chinese = await server.http.get('/v1/engagements').query({ visit: slug, participant: 'Zhao Leji', lang: 'zh-Hans-CN' }).expect(200)
    const names = (chinese.body.data as EngagementBody[]).flatMap((engagement) => engagement.participants.map((participant) => participant.name))
    assert.ok(names.includes('赵乐际'))
    assert.ok(names.includes('李在明'))
    const french = await server.http.get(`/v1/visits/${slug}`).query({ lang: 'fr' }).expect(200)
    assert.equal(french.body.title, 'State visit of President Lee Jae Myung to China')
    assert.equal(french.body.originalTitle, 'State visit of President Lee Jae Myung to China')
  })

  it('adds translations sent with a known person to those already known', async () => {
    const visitId = (await createVisit(server.http)).id
    const created = await createEngagement(server.http, visitId, {
      time: { precision: 'date', localDate: '2026-01-05', timeZone: 'Asia/Shanghai' },
      participants: [{ name: 'Xi Jinping', role: 'counterpart', nameTranslations: { ja: '習近平' } }]
    })
    const japanese = await server.http.get(`/v1/engagements/${created.id}`).query({ lang: 'ja' }).expect(200)
    assert.equal(japanese.body.participants[0].name, '習近平')
    const korean = await server.http.get(`/v1/engagements/${created.id}`).query({ lang: 'ko' }).expect(200)
    assert.equal(korean.body.participants[0].name, '시진핑')
  })

  it('refuses a key that is not a language tag, and a language given twice', async () => {
    const visitId = (await createVisit(server.http)).id
    const bad = await server.http.post(`/v1/visits/${visitId}/engagements`).set(authorised).send({
      title: 'x', kind: 'talks', time: { precision: 'date', localDate: '2026-01-05', timeZone: 'Asia/Shanghai' }, titleTranslations: { 'not a tag': 'x' }
    }).expect(400)
    assert.match(bad.body.errors[0].path, /^\/body\/titleTranslations/)
    const twice = await server.http.post(`/v1/visits/${visitId}/engagements`).set(authorised).send({
      title: 'x', kind: 'talks', time: { precision: 'date', localDate: '2026-01-05', timeZone: 'Asia/Shanghai' }, titleTranslations: { ko: 'a', KO: 'b' }
    }).expect(400)
    assert.equal(twice.body.errors[0].path, '/body/titleTranslations/KO')
    const query = await server.http.get('/v1/engagements').query({ lang: 'not a tag' }).expect(400)
    assert.equal(query.body.errors[0].path, '/query/lang')
  })
})
