import type { Static } from 'typebox'
import { fromDbDate } from '../domain/date-columns.js'
import type { Leg as LegRow } from '../generated/prisma/client.js'
import type { Leg } from '../schemas/legs.js'

export type LegView = Static<typeof Leg>

export function presentLeg (row: LegRow): LegView {
  return {
    id: row.id,
    visitId: row.visitId,
    sequence: row.sequence,
    city: row.city,
    country: row.country,
    timeZone: row.timeZone,
    startDate: fromDbDate(row.startDate),
    endDate: fromDbDate(row.endDate),
    createdAt: row.createdAt.toISOString(),
    updatedAt: row.updatedAt.toISOString(),
    version: row.version
  }
}
