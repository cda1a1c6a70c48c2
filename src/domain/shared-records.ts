import { isDeepStrictEqual } from 'node:util'
import type { Translations } from './languages.js'

/**
 * Venues and people are shared by every engagement that names them, and an engagement write may
 * send details about them (an address, a country, a translation). These are the rules for what
 * such details do to the shared record: the write path applies them (src/services/shared-records.ts),
 * and an engagement under embargo keeps them aside and shows them applied to
 * its own copy only, until it is published (overlays, see withPendingDetails).
 */

/** What an engagement write may say about a venue besides its name, city and country. */
export interface VenueDetailsInput {
  address?: string
  latitude?: number
  longitude?: number
  /** Canonical tags (canonicalTranslations). */
  nameTranslations?: Translations
}

export interface VenueDetails {
  address: string | null
  latitude: number | null
  longitude: number | null
  nameTranslations: Translations
}

/** What an engagement write may say about a person besides their name. */
export interface PersonDetailsInput {
  country?: string
  wikidataId?: string
  /** Canonical tags (canonicalTranslations). */
  nameTranslations?: Translations
}

export interface PersonDetails {
  country: string | null
  wikidataId: string | null
  nameTranslations: Translations
}

/**
 * The venue once `sent` is applied: an address or coordinates sent replace those known;
 * translations are added to those known (a later engagement sending only "ko" must not erase
 * the "zh" another one gave).
 */
export function venueDetailsAfter (known: VenueDetails, sent: VenueDetailsInput): VenueDetails {
  return {
    address: sent.address ?? known.address,
    latitude: sent.latitude ?? known.latitude,
    longitude: sent.longitude ?? known.longitude,
    nameTranslations: sent.nameTranslations === undefined ? known.nameTranslations : { ...known.nameTranslations, ...sent.nameTranslations }
  }
}

/**
 * The person once `sent` is applied: a country sent replaces the one known, a wikidataId is
 * recorded only for a person who has none (a different one is a conflict, decided by the
 * caller), translations are added to those known.
 */
export function personDetailsAfter (known: PersonDetails, sent: PersonDetailsInput): PersonDetails {
  return {
    country: sent.country ?? known.country,
    wikidataId: known.wikidataId ?? sent.wikidataId ?? null,
    nameTranslations: sent.nameTranslations === undefined ? known.nameTranslations : { ...known.nameTranslations, ...sent.nameTranslations }
  }
}

/** The fields whose value `after` changes, or null when it changes none: what a write must store. */
export function changedDetails<T extends object> (known: T, after: T): Partial<T> | null {
  const changes: Partial<T> = {}
  for (const key of Object.keys(after) as Array<keyof T>) {
    if (!isDeepStrictEqual(known[key], after[key])) changes[key] = after[key]
  }
  return Object.keys(changes).length === 0 ? null : changes
}

/**
 * Two sets of details sent about one record, as one: the later replaces what it sends, and
 * translations add up. A write under embargo that sends details twice (a create, then a PATCH)
 * keeps both until it is published.
 */
export function combinedInputs<T extends { nameTranslations?: Translations }> (earlier: T | null, later: T): T {
  if (earlier === null) return later
  const defined = Object.fromEntries(Object.entries(later).filter(([, value]) => value !== undefined)) as Partial<T>
  const translations = earlier.nameTranslations === undefined && later.nameTranslations === undefined
    ? {}
    : { nameTranslations: { ...earlier.nameTranslations, ...later.nameTranslations } }
  return { ...earlier, ...defined, ...translations }
}
