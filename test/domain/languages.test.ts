import { describe, it } from 'node:test'
import assert from 'node:assert/strict'
import { InputError } from '../../src/domain/errors.js'
import { canonicalLanguageTag, canonicalTranslations, storedTranslations, translate } from '../../src/domain/languages.js'

describe('canonicalLanguageTag', () => {
  it('spells tags as BCP 47 does and refuses what is not one', () => {
    assert.equal(canonicalLanguageTag('zh-hant-tw'), 'zh-Hant-TW')
    assert.equal(canonicalLanguageTag('KO'), 'ko')
    assert.equal(canonicalLanguageTag('en-gb'), 'en-GB')
    assert.equal(canonicalLanguageTag('not a tag'), null)
    assert.equal(canonicalLanguageTag('x'), null)
  })
})

describe('canonicalTranslations', () => {
  it('stores canonical tags', () => {
    assert.deepEqual(canonicalTranslations({ KO: '시진핑', 'zh-hans': '习近平' }, '/body/t'), { ko: '시진핑', 'zh-Hans': '习近平' })
  })

  it('refuses two spellings of one language, naming the key', () => {
    assert.throws(() => canonicalTranslations({ ko: 'a', KO: 'b' }, '/body/t'), (error: unknown) => {
      assert.ok(error instanceof InputError)
      assert.equal(error.errors[0]?.path, '/body/t/KO')
      return true
    })
  })

  it('refuses a key that is not a language tag', () => {
    assert.throws(() => canonicalTranslations({ 'abcdefghi-x': 'a' }, '/body/t'), InputError)
  })
})

describe('translate', () => {
  const names = { ko: '시진핑', zh: '习近平', 'zh-Hant': '習近平' }

  it('gives the original without a language, or without a translation for it', () => {
    assert.equal(translate('Xi Jinping', names, undefined), 'Xi Jinping')
    assert.equal(translate('Xi Jinping', names, 'fr'), 'Xi Jinping')
  })

  it('falls back from the most specific tag to its language, ignoring case', () => {
    assert.equal(translate('Xi Jinping', names, 'ko-KR'), '시진핑')
    assert.equal(translate('Xi Jinping', names, 'zh-Hant-TW'), '習近平')
    assert.equal(translate('Xi Jinping', names, 'zh-Hans-CN'), '习近平')
    assert.equal(translate('Xi Jinping', names, 'ZH-hant'), '習近平')
  })
})

describe('storedTranslations', () => {
  it('keeps string values only', () => {
    assert.deepEqual(storedTranslations({ ko: '이재명', n: 1 }), { ko: '이재명' })
    assert.deepEqual(storedTranslations(null), {})
    assert.deepEqual(storedTranslations(['x']), {})
  })
})
