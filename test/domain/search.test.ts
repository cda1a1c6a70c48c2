import assert from 'node:assert/strict'
import { describe, it } from 'node:test'
import { InputError } from '../../src/domain/errors.js'
import { firstPassing, inOrderOf } from '../../src/domain/filtered-pages.js'
import { prefixSearchQuery, searchDocumentText, searchWords } from '../../src/domain/search.js'

describe('searchWords', () => {
  it('folds case and accents as participant names are folded', () => {
    assert.deepEqual(searchWords('Zhao LEJI'), ['zhao', 'leji'])
    assert.deepEqual(searchWords('São Paulo'), ['sao', 'paulo'])
    assert.deepEqual(searchWords('Zoë Ångström, Dvořák, Ærø'), ['zoe', 'angstrom', 'dvorak', 'ærø'])
    // Compatibility forms: full-width letters and ligatures are plain letters.
    assert.deepEqual(searchWords('ＡＢＣ ﬁnal'), ['abc', 'final'])
  })

  it('splits at anything that is not a letter or a digit', () => {
    assert.deepEqual(searchWords('Korea-China business forum (2026): O\'Brien\'s'), ['korea', 'china', 'business', 'forum', '2026', 'o', 'brien', 's'])
    assert.deepEqual(searchWords('  \t\n'), [])
    assert.deepEqual(searchWords('&|!():*\'\\<->'), [])
  })

  it('makes each Chinese or Japanese character a word, and keeps Korean words whole', () => {
    assert.deepEqual(searchWords('与习近平主席会谈'), ['与', '习', '近', '平', '主', '席', '会', '谈'])
    assert.deepEqual(searchWords('Xi 习近平'), ['xi', '习', '近', '平'])
    assert.deepEqual(searchWords('カタカナ'), ['カ', 'タ', 'カ', 'ナ'])
    // NFKD takes Hangul apart into its letters (jamo), on both sides of a search alike.
    assert.deepEqual(searchWords('시진핑 주석'), ['시진핑'.normalize('NFKD'), '주석'.normalize('NFKD')])
  })
})

describe('searchDocumentText', () => {
  it('joins the words of every text given, skipping missing ones', () => {
    assert.equal(searchDocumentText(['Meeting with Zhao Leji', null, undefined, 'São Paulo']), 'meeting with zhao leji sao paulo')
    assert.equal(searchDocumentText([]), '')
  })
})

describe('prefixSearchQuery', () => {
  it('wants every word, the last one as a prefix', () => {
    assert.equal(prefixSearchQuery('zhao le', '/query/q'), '\'zhao\' & \'le\':*')
    assert.equal(prefixSearchQuery('ZHAO', '/query/q'), '\'zhao\':*')
    assert.equal(prefixSearchQuery('  São   Paulo ', '/query/q'), '\'sao\' & \'paulo\':*')
  })

  it('lets no tsquery syntax through: only quoted words of letters and digits', () => {
    for (const q of ['zhao & leji', 'zhao | !leji', 'zhao <-> leji', '(zhao):* leji\'', 'zhao\\ \'leji\'', 'a:*B', 'x:A & y']) {
      const tsquery = prefixSearchQuery(q, '/query/q')
      assert.match(tsquery, /^'[\p{L}\p{N}]+'( & '[\p{L}\p{N}]+')*:\*$/u, q)
    }
    assert.equal(prefixSearchQuery('zhao & leji | !x', '/query/q'), '\'zhao\' & \'leji\' & \'x\':*')
  })

  it('refuses q without a letter or digit, naming the parameter', () => {
    for (const q of ['', '   ', '&|!():*\'\\', '—', '\u0301']) {
      assert.throws(() => prefixSearchQuery(q, '/query/q'), (error: unknown) =>
        error instanceof InputError && error.kind === 'invalid' && error.errors[0]?.path === '/query/q', JSON.stringify(q))
    }
  })
})

describe('firstPassing', () => {
  const items = Array.from({ length: 30 }, (_, index) => ({ id: `item-${index}`, index }))
  /** A source over `items` that records the batch sizes it was asked for. */
  function source () {
    const sizes: number[] = []
    const read = async (after: { index: number } | undefined, size: number) => {
      sizes.push(size)
      const from = after === undefined ? 0 : after.index + 1
      return items.slice(from, from + size)
    }
    return { sizes, read }
  }
  const keep = (predicate: (index: number) => boolean) => async (ids: string[]) =>
    new Set(ids.filter((id) => predicate(Number(id.slice('item-'.length)))))

  it('reads one batch when enough of it passes', async () => {
    const { sizes, read } = source()
    const kept = await firstPassing(3, undefined, read, keep(() => true), 100)
    assert.deepEqual(kept.map((item) => item.index), [0, 1, 2])
    assert.deepEqual(sizes, [3])
  })

  it('reads larger batches after the last item read, in order, until enough passed', async () => {
    const { sizes, read } = source()
    const kept = await firstPassing(3, undefined, read, keep((index) => index % 7 === 6), 10)
    assert.deepEqual(kept.map((item) => item.index), [6, 13, 20])
    assert.deepEqual(sizes, [3, 10, 10])
  })

  it('starts after the given item and stops when the source runs out', async () => {
    const { sizes, read } = source()
    const kept = await firstPassing(5, items[24], read, keep((index) => index % 2 === 0), 100)
    assert.deepEqual(kept.map((item) => item.index), [26, 28])
    assert.deepEqual(sizes, [5, 20])
  })

  it('asks the filter nothing about an empty batch', async () => {
    const kept = await firstPassing(2, items[29], async () => [], async () => assert.fail('asked about no ids'), 10)
    assert.deepEqual(kept, [])
  })
})

describe('inOrderOf', () => {
  it('orders rows as the items, leaving out items without a row', () => {
    const rows = [{ id: 'b', n: 2 }, { id: 'a', n: 1 }]
    assert.deepEqual(inOrderOf([{ id: 'a' }, { id: 'gone' }, { id: 'b' }], rows), [{ id: 'a', n: 1 }, { id: 'b', n: 2 }])
  })
})
