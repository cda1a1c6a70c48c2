// The one-statement load of engagements (src/db/engagement-rows.ts) must read exactly what
// Prisma's include of the same relations reads: every column of the engagement and what the
// Engagement view shows of its venue, people and sources. A column added to the model and not to
// the SQL fails here.
import assert from 'node:assert/strict'
import { before, describe, test } from 'node:test'
import { engagementRowsByIds, engagementRowsOfVisit } from '../../src/db/engagement-rows.js'
import type { TokenScope } from '../../src/domain/access.js'
import type { Prisma } from '../../src/generated/prisma/client.js'
import { visibleEngagements } from '../../src/db/visibility.js'
import { createEngagement, createLeg, createVisit, useTestApp } from '../helper.js'

const engagementInclude = {
  venue: { select: { id: true, name: true, nameTranslations: true, city: true, country: true, address: true, latitude: true, longitude: true } },
  participants: {
    select: { participantId: true, role: true, title: true, organisation: true, participant: { select: { name: true, nameTranslations: true, country: true } } },
    orderBy: { position: 'asc' }
  },
  sources: { select: { url: true, title: true, kind: true, publisher: true, publishedAt: true }, orderBy: { position: 'asc' } }
} satisfies Prisma.EngagementInclude

describe('engagements with their relations in one statement', () => {
  const server = useTestApp()
  let visitId: string

  // What waits for publication is applied to the view by the loader: not a column of the row.
  const prismaRows = async (where: object) => (await server.app.prisma.engagement.findMany({
    where, orderBy: [{ startsAt: 'asc' }, { id: 'asc' }], include: engagementInclude
  })).map(({ venuePending: _venuePending, pendingAuthor: _pendingAuthor, ...row }) => row)

  before(async () => {
    const { http } = server
    const visit = await createVisit(http)
    visitId = visit.id
    const leg = await createLeg(http, visit.id)
    await createEngagement(http, visit.id, {
      legId: leg.id,
      title: 'Summit with President Xi Jinping',
      titleTranslations: { ko: '시진핑 주석과 정상회담', 'zh-Hans': '与习近平主席会谈' },
      confirmation: 'confirmed',
      announcedAt: '2025-12-20T09:30:00.123Z',
      pressAccess: 'pool',
      time: { precision: 'exact', localStart: '2026-01-05T15:00', localEnd: '2026-01-05T16:30' },
      venue: { name: 'Great Hall of the People', nameTranslations: { zh: '人民大会堂' }, city: 'Beijing', country: 'CN', latitude: 39.9033, longitude: 116.3915 },
      participants: [
        { name: 'Xi Jinping', role: 'host', title: 'President', country: 'CN', nameTranslations: { zh: '习近平' } },
        { name: 'Lee Jae Myung', role: 'guest', organisation: 'Office of the President' }
      ],
      sources: [
        { title: 'Xinhua', kind: 'official', url: 'https://example.org/xinhua', publisher: 'Xinhua', publishedAt: '2025-12-21T01:02:03.456Z' },
        { title: 'Pool report' }
      ]
    })
    await createEngagement(http, visit.id, { legId: leg.id, title: 'Arrival', kind: 'arrival', time: { precision: 'tbd', label: 'After the summit' } })
    await createEngagement(http, visit.id, {
      legId: leg.id,
      title: 'State banquet',
      kind: 'meal',
      time: { precision: 'part_of_day', localDate: '2026-01-05', partOfDay: 'evening' },
      embargoUntil: '2099-01-01T00:00:00.000Z'
    })
  })

  for (const scopes of [[], ['read:embargoed']] satisfies TokenScope[][]) {
    test(`a visit's engagements are Prisma's include, row for row, with scopes [${scopes.join(', ')}]`, async () => {
      const now = new Date()
      const expected = await prismaRows({ AND: [{ visitId }, visibleEngagements(scopes, now)] })
      assert.equal(expected.length, scopes.length === 0 ? 2 : 3, 'the embargoed banquet is hidden without read:embargoed only')
      assert.deepStrictEqual(await engagementRowsOfVisit(server.app.prisma, visitId, scopes, now), expected)
    })
  }

  test('a page by ids is Prisma\'s include, in chronological order whatever the order of the ids', async () => {
    const expected = await prismaRows({ visitId })
    const ids = expected.map((row) => row.id).reverse()
    assert.deepStrictEqual(await engagementRowsByIds(server.app.prisma, ids), expected)
    assert.deepStrictEqual(await engagementRowsByIds(server.app.prisma, []), [])
  })
})
