import { InputError } from './errors.js'

/** BCP 47 language tag -> text in that language. */
export type Translations = Record<string, string>

/** The spelling Intl gives a tag ("zh-hant-tw" -> "zh-Hant-TW"), or null when it is not a valid tag. */
export function canonicalLanguageTag (tag: string): string | null {
  try {
    return Intl.getCanonicalLocales(tag)[0] ?? null
  } catch {
    return null
  }
}

/**
 * Translations with canonical tags, so "KO" and "ko" cannot both be stored; throws a 400 naming
 * the tag that is not BCP 47, or two keys that are the same language.
 */
export function canonicalTranslations (translations: Translations, path: string): Translations {
  const canonical: Translations = {}
  for (const [tag, text] of Object.entries(translations)) {
    const key = canonicalLanguageTag(tag)
    if (key === null) {
      throw new InputError('invalid', `"${tag}" is not a BCP 47 language tag; use tags such as "ko", "zh-Hans" or "en-GB".`, [
        { path: `${path}/${tag}`, message: 'must be a BCP 47 language tag' }
      ])
    }
    if (Object.hasOwn(canonical, key)) {
      throw new InputError('invalid', `"${tag}" is the same language as another key (${key}); send each language once.`, [
        { path: `${path}/${tag}`, message: `duplicates ${key}` }
      ])
    }
    canonical[key] = text
  }
  return canonical
}

/**
 * The text in `language`, falling back from the most specific tag to its language
 * ("zh-Hans-CN" -> "zh-Hans" -> "zh"); the original when there is no translation.
 */
export function translate (original: string, translations: Translations, language: string | undefined): string {
  if (language === undefined) return original
  const wanted = (canonicalLanguageTag(language) ?? language).split('-')
  const byLowerCaseTag = new Map(Object.entries(translations).map(([tag, text]) => [tag.toLowerCase(), text]))
  for (let length = wanted.length; length > 0; length--) {
    const text = byLowerCaseTag.get(wanted.slice(0, length).join('-').toLowerCase())
    if (text !== undefined) return text
  }
  return original
}

/** A stored jsonb translations column, read defensively: anything but string values is ignored. */
export function storedTranslations (value: unknown): Translations {
  if (value === null || typeof value !== 'object' || Array.isArray(value)) return {}
  return Object.fromEntries(Object.entries(value).filter((entry): entry is [string, string] => typeof entry[1] === 'string'))
}
