import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { entityTag, ifNoneMatchMatches, parseIfMatch } from '../../src/domain/entity-tags.js'
import {
  ABANDONED_CLAIM_MS, IDEMPOTENCY_KEY_RETENTION_MS, keyState, requestFingerprint
} from '../../src/domain/idempotency.js'

describe('entityTag', () => {
  it('tags a resource with its version and a digest of the bytes, anything else with the digest only', () => {
    assert.match(entityTag('{"id":"a","version":3}', 3), /^"v3-[A-Za-z0-9_-]{22}"$/)
    assert.match(entityTag('{"data":[]}'), /^"[A-Za-z0-9_-]{22}"$/)
    assert.equal(entityTag('same', 1), entityTag('same', 1))
    assert.notEqual(entityTag('{"viewer":1}', 1), entityTag('{}', 1))
  })
})

describe('parseIfMatch', () => {
  it('reads the version part of our tags and of "v<n>"', () => {
    assert.deepEqual(parseIfMatch(entityTag('x', 7)), { kind: 'versions', versions: [7] })
    assert.deepEqual(parseIfMatch('"v3"'), { kind: 'versions', versions: [3] })
    assert.deepEqual(parseIfMatch('"v3-abc", "v4-def" ,"v3-ghi"'), { kind: 'versions', versions: [3, 4] })
  })

  it('lets a weak tag, a foreign tag or an impossible version match nothing', () => {
    assert.deepEqual(parseIfMatch('W/"v3-abc"'), { kind: 'versions', versions: [] })
    assert.deepEqual(parseIfMatch('"abc"'), { kind: 'versions', versions: [] })
    assert.deepEqual(parseIfMatch('"v0"'), { kind: 'versions', versions: [] })
    assert.deepEqual(parseIfMatch('"v99999999999"'), { kind: 'versions', versions: [] })
  })

  it('tells * and malformed values apart', () => {
    assert.deepEqual(parseIfMatch(' * '), { kind: 'any' })
    for (const value of ['v3', '3', '', '"v3', '"v 3"', '"v3", v4']) assert.deepEqual(parseIfMatch(value), { kind: 'malformed' }, value)
  })
})

describe('ifNoneMatchMatches', () => {
  const tag = entityTag('body', 2)
  it('compares weakly, in a list, and takes *', () => {
    assert.equal(ifNoneMatchMatches(tag, tag), true)
    assert.equal(ifNoneMatchMatches(`W/${tag}`, tag), true)
    assert.equal(ifNoneMatchMatches(`"other", ${tag}`, tag), true)
    assert.equal(ifNoneMatchMatches('*', tag), true)
    assert.equal(ifNoneMatchMatches('"other"', tag), false)
    assert.equal(ifNoneMatchMatches('not a tag', tag), false)
  })
})

describe('requestFingerprint', () => {
  it('depends on method, path and body, not on the order of fields', () => {
    const body = { title: 'Summit', time: { precision: 'date', localDate: '2026-01-05' }, participants: [{ name: 'A' }, { name: 'B' }] }
    const reordered = { participants: [{ name: 'A' }, { name: 'B' }], time: { localDate: '2026-01-05', precision: 'date' }, title: 'Summit' }
    assert.equal(requestFingerprint('POST', '/v1/visits', body), requestFingerprint('POST', '/v1/visits', reordered))
    assert.notEqual(requestFingerprint('POST', '/v1/visits', body), requestFingerprint('POST', '/v1/other', body))
    assert.notEqual(requestFingerprint('POST', '/v1/visits', body), requestFingerprint('POST', '/v1/visits', { ...body, participants: [{ name: 'B' }, { name: 'A' }] }))
    assert.notEqual(requestFingerprint('POST', '/v1/visits', { a: '1' }), requestFingerprint('POST', '/v1/visits', { a: 1 }))
  })
})

describe('keyState', () => {
  const now = new Date('2026-01-05T12:00:00Z')
  const ago = (ms: number) => new Date(now.getTime() - ms)
  const record = (status: number | null, age: number, fingerprint = 'f') => ({ requestFingerprint: fingerprint, responseStatus: status, createdAt: ago(age) })

  it('replays, refuses or waits for a key within its retention', () => {
    assert.equal(keyState(record(201, 1000), 'f', now), 'completed')
    assert.equal(keyState(record(404, 1000), 'f', now), 'completed')
    assert.equal(keyState(record(201, 1000, 'g'), 'f', now), 'different-request')
    assert.equal(keyState(record(null, 1000), 'f', now), 'in-flight')
    assert.equal(keyState(record(null, ABANDONED_CLAIM_MS), 'f', now), 'abandoned')
  })

  it('forgets a key after its retention, whatever it was used for', () => {
    assert.equal(keyState(record(201, IDEMPOTENCY_KEY_RETENTION_MS), 'f', now), 'expired')
    assert.equal(keyState(record(201, IDEMPOTENCY_KEY_RETENTION_MS, 'g'), 'f', now), 'expired')
    assert.equal(keyState(record(201, IDEMPOTENCY_KEY_RETENTION_MS - 1), 'f', now), 'completed')
  })
})
