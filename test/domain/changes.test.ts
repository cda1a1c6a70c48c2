import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import {
  changeAction, changedFields, checkChangeSource, decodeChangeReason, decodeFeedCursor, describeChange, describeRetention, encodeFeedCursor,
  feedOrderFor, isEmbargoedTombstone, isExpired, visibleDetails, type ChangeFacts
} from '../../src/domain/changes.js'
import { encodeCursor } from '../../src/domain/cursor.js'
import { InputError } from '../../src/domain/errors.js'

const AFTERNOON = {
  timeZone: 'Asia/Shanghai',
  precision: 'part_of_day',
  partOfDay: 'afternoon',
  localStart: '2026-01-05T12:00:00+08:00',
  label: 'Monday 5 January 2026, afternoon'
}
const EVENING = { ...AFTERNOON, partOfDay: 'evening', localStart: '2026-01-05T18:00:00+08:00', label: 'Monday 5 January 2026, evening' }

const summit = {
  id: '019b0000-0000-7000-8000-000000000001',
  visitId: '019b0000-0000-7000-8000-000000000000',
  title: 'Summit with President Xi Jinping',
  status: 'scheduled',
  time: AFTERNOON,
  participants: [{ name: 'Xi Jinping', role: 'counterpart' }, { name: 'Wang Yi', role: 'attendee' }],
  venue: { name: 'Great Hall of the People', city: 'Beijing' },
  description: null,
  embargoUntil: null,
  createdAt: '2026-01-01T00:00:00.000Z',
  updatedAt: '2026-01-01T00:00:00.000Z',
  version: 1
}

function update (fields: ChangeFacts['fields'], snapshot: Record<string, unknown> = summit): ChangeFacts {
  return { entity: 'engagement', action: 'update', fields, snapshot, recordedAt: new Date('2026-01-02T00:00:00Z') }
}

describe('changedFields', () => {
  it('keeps only what differs in an update, leaving out id, version and timestamps', () => {
    const after = { ...summit, status: 'cancelled', time: EVENING, version: 2, updatedAt: '2026-01-02T00:00:00.000Z' }
    assert.deepEqual(changedFields(summit, after), {
      status: { old: 'scheduled', new: 'cancelled' },
      time: { old: AFTERNOON, new: EVENING }
    })
  })

  it('compares nested values by content, not identity', () => {
    assert.deepEqual(changedFields(summit, structuredClone(summit)), {})
  })

  it('lists every field as new for a create and as old for a delete', () => {
    const created = changedFields(null, summit)
    assert.deepEqual(Object.keys(created).sort(), ['description', 'embargoUntil', 'participants', 'status', 'time', 'title', 'venue', 'visitId'])
    assert.deepEqual(created.title, { old: null, new: summit.title })
    assert.deepEqual(changedFields(summit, null).status, { old: 'scheduled', new: null })
  })

  it('names the action from what exists before and after', () => {
    assert.equal(changeAction(null, summit), 'create')
    assert.equal(changeAction(summit, summit), 'update')
    assert.equal(changeAction(summit, null), 'delete')
  })
})

describe('describeChange', () => {
  it('says where an engagement moved, in the words of its time labels', () => {
    assert.equal(describeChange(update({ time: { old: AFTERNOON, new: EVENING } }, { ...summit, time: EVENING })),
      'Summit with President Xi Jinping: moved from Monday 5 January 2026, afternoon to Monday 5 January 2026, evening')
  })

  it('falls back to the local start when a time has no label', () => {
    const time = { old: { ...AFTERNOON, label: undefined }, new: { ...EVENING, label: undefined } }
    assert.equal(describeChange(update({ time })),
      'Summit with President Xi Jinping: moved from 2026-01-05T12:00:00+08:00 to 2026-01-05T18:00:00+08:00')
  })

  it('puts title, status and time first, then the rest alphabetically, whatever order the fields come in', () => {
    const summary = describeChange(update({
      venue: { old: summit.venue, new: null },
      time: { old: AFTERNOON, new: EVENING },
      status: { old: 'scheduled', new: 'cancelled' }
    }))
    assert.equal(summary, 'Summit with President Xi Jinping: status changed from scheduled to cancelled; ' +
      'moved from Monday 5 January 2026, afternoon to Monday 5 January 2026, evening; venue changed from Great Hall of the People to none')
  })

  it('names who joined and who left', () => {
    const participants = { old: summit.participants, new: [{ name: 'Xi Jinping', role: 'host' }, { name: 'Li Qiang', role: 'attendee' }] }
    assert.equal(describeChange(update({ participants })), 'Summit with President Xi Jinping: participants: added Li Qiang, removed Wang Yi')
    assert.equal(describeChange(update({ participants: { old: summit.participants, new: [...summit.participants].reverse() } })),
      'Summit with President Xi Jinping: participants\' roles, titles, countries or order changed')
  })

  it('tells a renamed person from one who left, by participantId', () => {
    const xi = { participantId: '019b0000-0000-7000-8000-0000000000a1', name: 'Xi Jinping', role: 'counterpart' }
    const participants = { old: [xi], new: [{ ...xi, name: 'Xi Jin-ping' }] }
    assert.equal(describeChange(update({ participants })), 'Summit with President Xi Jinping: participants: renamed Xi Jinping to Xi Jin-ping')
  })

  it('says which details of the same venue changed', () => {
    const venue = { old: summit.venue, new: { ...summit.venue, address: '1 Tiananmen Square', nameTranslations: { ko: '인민대회당' } } }
    assert.equal(describeChange(update({ venue })), 'Summit with President Xi Jinping: venue Great Hall of the People: address, name translations changed')
  })

  it('quotes a rename and short values, and only names long ones', () => {
    assert.equal(describeChange(update({ title: { old: 'Summit', new: summit.title } })),
      'Summit with President Xi Jinping: renamed from "Summit" to "Summit with President Xi Jinping"')
    assert.equal(describeChange(update({ description: { old: null, new: 'x'.repeat(200) } })), 'Summit with President Xi Jinping: description changed')
    assert.equal(describeChange(update({ pressAccess: { old: 'unknown', new: 'pool' } })), 'Summit with President Xi Jinping: press access changed from unknown to pool')
    assert.equal(describeChange(update({ embargoUntil: { old: '2100-01-01T00:00:00.000Z', new: null } })), 'Summit with President Xi Jinping: embargo lifted')
  })

  it('says added and deleted, naming legs by their city and anything unnamed by its kind', () => {
    const recordedAt = new Date()
    assert.equal(describeChange({ entity: 'leg', action: 'create', fields: {}, snapshot: { id: 'x', city: 'Shanghai' }, recordedAt }), 'Shanghai leg: added')
    assert.equal(describeChange({ entity: 'visit', action: 'delete', fields: { title: { old: 'State visit to China', new: null } }, snapshot: null, recordedAt }),
      'State visit to China: deleted')
    assert.equal(describeChange({ entity: 'engagement', action: 'delete', fields: {}, snapshot: null, recordedAt }), 'An engagement: deleted')
    assert.equal(describeChange(update({})), 'Summit with President Xi Jinping: saved with no visible change')
  })
})

describe('embargoed tombstones', () => {
  const tombstone = (embargoUntil: string | null) => ({
    entity: 'engagement' as const,
    action: 'delete' as const,
    fields: { title: { old: 'Secret talks', new: null }, embargoUntil: { old: embargoUntil, new: null } },
    snapshot: null,
    recordedAt: new Date('2026-01-02T00:00:00Z'),
    reason: 'called off',
    source: 'https://example.org/x'
  })

  it('tell a public reader only that an id went away', () => {
    const secret = tombstone('2100-01-01T00:00:00.000Z')
    assert.equal(isEmbargoedTombstone(secret), true)
    const seen = visibleDetails(secret, [])
    assert.deepEqual([seen.fields, seen.reason, seen.source], [{}, null, null])
    assert.equal(describeChange(seen), 'An engagement: deleted')
    assert.deepEqual(visibleDetails(secret, ['read:embargoed']), secret)
  })

  it('are left whole once the embargo had passed when it was deleted', () => {
    const published = tombstone('2026-01-01T00:00:00.000Z')
    assert.equal(isEmbargoedTombstone(published), false)
    assert.deepEqual(visibleDetails(published, []), published)
    assert.equal(isEmbargoedTombstone(tombstone(null)), false)
  })
})

describe('decodeChangeReason', () => {
  it('decodes percent-encoded UTF-8, so Korean and Chinese reasons survive ASCII headers', () => {
    assert.equal(decodeChangeReason(encodeURIComponent('청와대 발표에 따라 시간 변경')), '청와대 발표에 따라 시간 변경')
    assert.equal(decodeChangeReason(encodeURIComponent('习近平主席日程调整')), '习近平主席日程调整')
    assert.equal(decodeChangeReason('Moved after pool report'), 'Moved after pool report')
  })

  it('keeps a % that starts no escape, and treats an empty reason as none', () => {
    assert.equal(decodeChangeReason('100% confirmed, %zz'), '100% confirmed, %zz')
    assert.equal(decodeChangeReason('  '), null)
  })

  it('refuses bytes that are not UTF-8, control characters and more than 500 characters', () => {
    for (const header of ['%FF%FE', 'line%0Abreak', '%00', encodeURIComponent('가'.repeat(501))]) {
      assert.throws(() => decodeChangeReason(header), (error: unknown) =>
        error instanceof InputError && error.kind === 'invalid' && error.errors[0]?.path === '/headers/change-reason', header)
    }
    assert.equal(decodeChangeReason(encodeURIComponent('가'.repeat(500)))?.length, 500)
  })
})

describe('checkChangeSource', () => {
  it('takes a URL and refuses what does not parse as one', () => {
    assert.equal(checkChangeSource('https://www.president.go.kr/briefing/1234?lang=ko'), 'https://www.president.go.kr/briefing/1234?lang=ko')
    assert.throws(() => checkChangeSource('https://['), (error: unknown) =>
      error instanceof InputError && error.errors[0]?.path === '/headers/change-source')
  })
})

describe('feed cursors', () => {
  const position = { order: 'public' as const, at: new Date('2026-01-05T04:00:00.123Z'), sequence: 9007199254740993n }

  it('round-trip a position, sequence numbers beyond 2^53 included', () => {
    assert.deepEqual(decodeFeedCursor(encodeFeedCursor(position), 'public'), position)
    const recorded = { ...position, order: 'recorded' as const, sequence: 9223372036854775807n }
    assert.deepEqual(decodeFeedCursor(encodeFeedCursor(recorded), 'recorded'), recorded)
  })

  it('still read a public cursor from before public numbers, as the place it was', () => {
    const legacy = encodeCursor(['visible', '2026-01-05T04:00:00.123Z', '12'])
    assert.deepEqual(decodeFeedCursor(legacy, 'public'), { order: 'visible', at: new Date('2026-01-05T04:00:00.123Z'), sequence: 12n })
    assert.throws(() => decodeFeedCursor(legacy, 'recorded'), (error: unknown) => error instanceof InputError && error.errors[0]?.path === '/query/since')
  })

  it('belong to one order: the public feed and the full feed refuse each other\'s', () => {
    assert.equal(feedOrderFor([]), 'public')
    assert.equal(feedOrderFor(['write']), 'public')
    assert.equal(feedOrderFor(['read:embargoed']), 'recorded')
    assert.throws(() => decodeFeedCursor(encodeFeedCursor(position), 'recorded'), (error: unknown) =>
      error instanceof InputError && error.errors[0]?.path === '/query/since' && /read:embargoed/.test(error.message))
  })

  it('refuse what they did not issue, naming the since parameter', () => {
    for (const cursor of ['garbage', encodeCursor(['2026-01-05', '019b0000-0000-7000-8000-000000000001']), encodeCursor(['visible', 'yesterday', '1']),
      encodeCursor(['visible', '2026-01-05T04:00:00.000Z', '-1']), encodeCursor(['sideways', '2026-01-05T04:00:00.000Z', '1']),
      // Past the largest bigint: Postgres could not compare it.
      encodeCursor(['public', '2026-01-05T04:00:00.000Z', '9223372036854775808']), encodeCursor(['public', '2026-01-05T04:00:00.000Z', '9999999999999999999'])]) {
      assert.throws(() => decodeFeedCursor(cursor, 'public'), (error: unknown) =>
        error instanceof InputError && error.kind === 'invalid' && error.errors[0]?.path === '/query/since', cursor)
    }
  })

  it('expire once older than the retention window', () => {
    const now = new Date('2026-04-05T04:00:00.123Z')
    assert.equal(isExpired(position, now, 90 * 86_400_000), false)
    assert.equal(isExpired(position, new Date(now.getTime() + 1), 90 * 86_400_000), true)
    assert.equal(describeRetention(90 * 86_400_000), '90 days')
    assert.equal(describeRetention(1000), '1 second')
  })
})
