import type { Static } from 'typebox'
import { fromDbDate } from '../domain/date-columns.js'
import { storedTranslations, translate } from '../domain/languages.js'
import type { Visit as VisitRow } from '../generated/prisma/client.js'
import type { Visit } from '../schemas/visits.js'

export type VisitView = Static<typeof Visit>

/** The visit as the API shows it; with `language`, its title translated and the original beside it. */
export function presentVisit (row: VisitRow, language?: string): VisitView {
  const titleTranslations = storedTranslations(row.titleTranslations)
  return {
    id: row.id,
    slug: row.slug,
    title: translate(row.title, titleTranslations, language),
    ...(language === undefined ? {} : { originalTitle: row.title }),
    titleTranslations,
    principal: { name: row.principalName, title: row.principalTitle },
    originCountry: row.originCountry,
    kind: row.kind,
    status: row.status,
    homeTimeZone: row.homeTimeZone,
    startDate: fromDbDate(row.startDate),
    endDate: fromDbDate(row.endDate),
    summary: row.summary,
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    version: row.version
  }
}
