import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { literalLikePattern } from '../../src/domain/like-pattern.js'

describe('literalLikePattern', () => {
  it('escapes the LIKE wildcards and the escape character', () => {
    assert.equal(literalLikePattern('50%_off\\'), '50\\%\\_off\\\\')
  })

  it('leaves every other character as it is, quotes included', () => {
    assert.equal(literalLikePattern('O\'Brien "the" $1 -- /* ’'), 'O\'Brien "the" $1 -- /* ’')
  })
})
