import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { buildItinerary } from '../../src/domain/itinerary.js'

const entry = (id: string, legId: string | null, localDate: string) => ({ id, legId, time: { localDate } })

describe('buildItinerary', () => {
  it('groups by leg in the order given, then by local day, keeping chronological order within a day', () => {
    const legs = [{ id: 'beijing' }, { id: 'shanghai' }, { id: 'seoul' }]
    const engagements = [
      entry('arrival', 'beijing', '2026-01-04'),
      entry('summit', 'beijing', '2026-01-05'),
      entry('forum', 'beijing', '2026-01-05'),
      entry('dinner', 'shanghai', '2026-01-06'),
      entry('lost', 'elsewhere', '2026-01-06'),
      entry('free', null, '2026-01-05')
    ]
    const itinerary = buildItinerary(legs, engagements)
    assert.deepEqual(itinerary.legs.map(({ leg, days }) => [leg.id, days.map((day) => [day.localDate, day.engagements.map((e) => e.id)])]), [
      ['beijing', [['2026-01-04', ['arrival']], ['2026-01-05', ['summit', 'forum']]]],
      ['shanghai', [['2026-01-06', ['dinner']]]],
      ['seoul', []]
    ])
    assert.deepEqual(itinerary.unassigned.map((day) => [day.localDate, day.engagements.map((e) => e.id)]), [
      ['2026-01-05', ['free']],
      ['2026-01-06', ['lost']]
    ])
  })

  it('orders days by date even when a later-starting event is on an earlier local day', () => {
    // A day in Seoul (UTC+9) can start before the previous day ends in Honolulu (UTC-10).
    const itinerary = buildItinerary([{ id: 'leg' }], [entry('late', 'leg', '2026-01-06'), entry('early', 'leg', '2026-01-05')])
    assert.deepEqual(itinerary.legs[0]?.days.map((day) => day.localDate), ['2026-01-05', '2026-01-06'])
  })
})
