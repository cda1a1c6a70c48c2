import assert from 'node:assert/strict'
import { createHash } from 'node:crypto'
import { describe, it } from 'node:test'
import {
  canReadEmbargoed, checkNewToken, generateTokenSecret, matchBootstrapToken, secretDigest, type BootstrapToken
} from '../../src/domain/access.js'
import { InputError } from '../../src/domain/errors.js'

describe('token secrets', () => {
  it('are 256 random bits in base64url behind the itn_ prefix, never the same twice', () => {
    const secrets = Array.from({ length: 50 }, generateTokenSecret)
    for (const secret of secrets) {
      assert.match(secret, /^itn_[A-Za-z0-9_-]{43}$/)
      assert.equal(Buffer.from(secret.slice(4), 'base64url').length, 32)
    }
    assert.equal(new Set(secrets).size, secrets.length)
  })

  it('are kept as their SHA-256 in hex', () => {
    assert.equal(secretDigest('itn_abc'), createHash('sha256').update('itn_abc').digest('hex'))
    assert.match(secretDigest('x'), /^[0-9a-f]{64}$/)
  })
})

describe('matchBootstrapToken', () => {
  const tokens = new Map<string, BootstrapToken>([
    ['desk', { secret: 'desk-secret-123', scopes: ['read:embargoed', 'write', 'admin'] }],
    ['reader', { secret: 'reader-secret-1', scopes: ['read:embargoed'] }]
  ])

  it('finds the token whose secret is presented, with its scopes', () => {
    assert.deepEqual(matchBootstrapToken('reader-secret-1', tokens), { name: 'reader', scopes: ['read:embargoed'] })
    assert.deepEqual(matchBootstrapToken('desk-secret-123', tokens)?.name, 'desk')
  })

  it('matches nothing for a prefix, an extension, another case or an empty secret', () => {
    for (const presented of ['desk-secret-12', 'desk-secret-1234', 'DESK-SECRET-123', '', 'reader-secret-1 ']) {
      assert.equal(matchBootstrapToken(presented, tokens), null, presented)
    }
    assert.equal(matchBootstrapToken('desk-secret-123', new Map()), null)
  })
})

describe('checkNewToken', () => {
  it('returns each scope once, in a fixed order', () => {
    assert.deepEqual(checkNewToken('desk', ['write', 'read:embargoed', 'write']), ['read:embargoed', 'write'])
  })

  it('refuses unknown scopes, no scope and names that would not read well in logs', () => {
    assert.throws(() => checkNewToken('desk', ['read']), (error: InputError) => /"read" is not a scope/.test(error.message))
    assert.throws(() => checkNewToken('desk', []), /at least one scope/)
    for (const name of ['', 'has space', 'a:b', 'a,b', '-leading', 'x'.repeat(65)]) {
      assert.throws(() => checkNewToken(name, ['write']), /not a usable token name/, name)
    }
  })
})

describe('canReadEmbargoed', () => {
  it('needs the read:embargoed scope; write or admin alone do not give it', () => {
    assert.equal(canReadEmbargoed(['read:embargoed']), true)
    assert.equal(canReadEmbargoed(['write', 'admin']), false)
    assert.equal(canReadEmbargoed([]), false)
  })
})
