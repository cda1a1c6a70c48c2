import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { decodeCursor, encodeCursor, isSequenceNumber } from '../../src/domain/cursor.js'
import { InputError } from '../../src/domain/errors.js'
import { isUuid, participantNameKey } from '../../src/domain/identifiers.js'
import { isValidInstant } from '../../src/domain/time-zones.js'

describe('cursors', () => {
  const checks = [isValidInstant, isUuid]
  const key = ['2026-01-05T04:00:00.000Z', '01a2228a-8166-73cd-8b38-9ff8ad8b5264']

  it('round-trips a sort key', () => {
    assert.deepEqual(decodeCursor(encodeCursor(key), checks), key)
  })

  it('refuses anything it did not issue, naming the cursor parameter', () => {
    const forged = [
      'not base64 at all!',
      encodeCursor(['2026-01-05T04:00:00.000Z']),
      encodeCursor(['yesterday', key[1] as string]),
      encodeCursor(['2026-01-05T04:00:00.000Z', "1' OR '1'='1"]),
      Buffer.from('{"a":1}').toString('base64url')
    ]
    for (const cursor of forged) {
      assert.throws(() => decodeCursor(cursor, checks), (error: unknown) =>
        error instanceof InputError && error.kind === 'invalid' && error.errors[0]?.path === '/query/cursor')
    }
  })
})

describe('isSequenceNumber', () => {
  it('takes digits up to the largest Postgres bigint and nothing past it', () => {
    for (const part of ['0', '1', '42', '9223372036854775807']) assert.equal(isSequenceNumber(part), true, part)
    for (const part of ['9223372036854775808', '9999999999999999999', '99999999999999999999', '-1', '1.5', '1e3', '', ' 1']) {
      assert.equal(isSequenceNumber(part), false, part)
    }
  })
})

describe('participantNameKey', () => {
  it('ignores case, accents and spacing, so one person is one record', () => {
    assert.equal(participantNameKey('  Zhao   Leji '), 'zhao leji')
    assert.equal(participantNameKey('ZHAO LEJI'), participantNameKey('Zhao Leji'))
    assert.equal(participantNameKey('José Raúl Mulino'), 'jose raul mulino')
    assert.equal(participantNameKey('习近平'), '习近平')
    assert.notEqual(participantNameKey('Li Qiang'), participantNameKey('Li Keqiang'))
  })

  it('recognises UUIDs and nothing else', () => {
    assert.equal(isUuid('01a2228a-8166-73cd-8b38-9ff8ad8b5264'), true)
    assert.equal(isUuid('lee-jae-myung-china-2026'), false)
    assert.equal(isUuid('01a2228a-8166-73cd-8b38-9ff8ad8b526'), false)
  })
})
