import type { Static } from 'typebox'
import type { EngagementRow } from '../db/engagement-rows.js'
import { fromDbDate } from '../domain/date-columns.js'
import { storedTranslations, translate } from '../domain/languages.js'
import { describeTimeWindow } from '../domain/time-window.js'
import type { Engagement } from '../schemas/engagements.js'

export type EngagementView = Static<typeof Engagement>

/** A translated text and, when a language was asked for, the original under `originalKey`. */
function localized<K extends string> (original: string, translations: unknown, language: string | undefined, originalKey: K) {
  // Most reads ask for no language: then the stored translations need not be read at all.
  if (language === undefined) return { text: original, original: {} as Partial<Record<K, string>> }
  const text = translate(original, storedTranslations(translations), language)
  return { text, original: { [originalKey]: original } as Partial<Record<K, string>> }
}

/** An engagement's venue as the API shows it (see presentEngagement). */
export function presentVenue (venue: EngagementRow['venue'], language?: string): EngagementView['venue'] {
  if (venue === null) return null
  const name = localized(venue.name, venue.nameTranslations, language, 'originalName')
  return {
    id: venue.id,
    name: name.text,
    ...name.original,
    nameTranslations: storedTranslations(venue.nameTranslations),
    city: venue.city,
    country: venue.country,
    address: venue.address,
    latitude: venue.latitude,
    longitude: venue.longitude
  }
}

/** An engagement's participants as the API shows them (see presentEngagement). */
export function presentParticipants (participants: EngagementRow['participants'], language?: string): EngagementView['participants'] {
  return participants.map((item) => {
    const name = localized(item.participant.name, item.participant.nameTranslations, language, 'originalName')
    return {
      participantId: item.participantId,
      name: name.text,
      ...name.original,
      role: item.role,
      title: item.title,
      organisation: item.organisation,
      country: item.participant.country
    }
  })
}

/**
 * The engagement as the API shows it. With `viewerTimeZone`, also its times on the reader's clock;
 * with `language`, titles and names in that language where translated, each original beside it.
 */
export function presentEngagement (row: EngagementRow, viewerTimeZone?: string, language?: string): EngagementView {
  const { time, viewer } = describeTimeWindow({
    timeZone: row.timeZone,
    precision: row.precision,
    partOfDay: row.partOfDay,
    startsAt: row.startsAt,
    endsAt: row.endsAt,
    localDate: fromDbDate(row.localDate),
    label: row.timeLabel
  }, viewerTimeZone)
  const title = localized(row.title, row.titleTranslations, language, 'originalTitle')
  return {
    id: row.id,
    visitId: row.visitId,
    legId: row.legId,
    title: title.text,
    ...title.original,
    titleTranslations: storedTranslations(row.titleTranslations),
    kind: row.kind,
    status: row.status,
    confirmation: row.confirmation,
    announcedAt: row.announcedAt?.toISOString() ?? null,
    pressAccess: row.pressAccess,
    time,
    ...(viewer === undefined ? {} : { viewer }),
    venue: presentVenue(row.venue, language),
    participants: presentParticipants(row.participants, language),
    description: row.description,
    sources: row.sources.map((source) => ({
      url: source.url,
      title: source.title,
      kind: source.kind,
      publisher: source.publisher,
      publishedAt: source.publishedAt?.toISOString() ?? null
    })),
    embargoUntil: row.embargoUntil?.toISOString() ?? null,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    version: row.version
  }
}
