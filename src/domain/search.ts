import { InputError } from './errors.js'
import { participantNameKey } from './identifiers.js'

// Chinese and Japanese put no spaces between words: each of their characters is a search word of
// its own, so "习近平" is found inside "与习近平主席会谈".
const UNSPACED_CHARACTER = /[\p{Script=Han}\p{Script=Hiragana}\p{Script=Katakana}]/gu
const WORD = /[\p{L}\p{N}]+/gu

/**
 * The words of `text` as search sees them: folded as participant names are (NFKD, combining
 * marks dropped, lower case), so that "São Paulo" is `sao paulo` and a person is found by search
 * as by the participant filter; split at anything that is neither a letter nor a digit.
 */
export function searchWords (text: string): string[] {
  return participantNameKey(text).replace(UNSPACED_CHARACTER, ' $& ').match(WORD) ?? []
}

/**
 * One part of a search document (title, people, places, description) as the text given to
 * to_tsvector: its words, folded, separated by single spaces, so the documents and the queries
 * are cut into words by the same function.
 */
export function searchDocumentText (texts: ReadonlyArray<string | null | undefined>): string {
  return texts.flatMap((text) => (text === null || text === undefined ? [] : searchWords(text))).join(' ')
}

/** The words of a search box's `q`; a 400 naming `path` when it has no letter or digit to search for. */
export function searchableWords (q: string, path: string): string[] {
  const words = searchWords(q)
  if (words.length === 0) {
    throw new InputError('invalid', `q ("${q}") has no letter or digit to search for.`, [
      { path, message: 'must contain at least one letter or digit' }
    ])
  }
  return words
}

/**
 * The tsquery (for `to_tsquery('simple', ...)`) that a search box's `q` means: every word must
 * match, the last one also as a prefix, so results follow the reader's typing ("zhao le" finds
 * Zhao Leji). Built from the words alone, letters and digits, each quoted: nothing typed reaches
 * tsquery syntax.
 */
export function prefixSearchQuery (q: string, path: string): string {
  const words = searchableWords(q, path)
  return words.map((word, index) => `'${word}'${index === words.length - 1 ? ':*' : ''}`).join(' & ')
}
