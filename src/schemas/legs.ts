import { Type } from 'typebox'
import { CountryCode, Instant, LocalDate, TEXT_PATTERN, TimeZoneName, Uuid, VersionNumber } from './common.js'

export const MAX_LEG_SEQUENCE = 1000

const legFields = {
  sequence: Type.Integer({ minimum: 1, maximum: MAX_LEG_SEQUENCE, format: 'int32', description: 'Position of the leg in the trip, from 1.', examples: [1] }),
  city: Type.String({ minLength: 1, maxLength: 200, pattern: TEXT_PATTERN, examples: ['Beijing'] }),
  country: CountryCode,
  timeZone: TimeZoneName,
  startDate: Type.String({ ...LocalDate, description: 'First local day of the stay.', examples: ['2026-01-04'] }),
  endDate: Type.String({ ...LocalDate, description: 'Last local day of the stay.', examples: ['2026-01-06'] })
}

export const Leg = Type.Object({
  id: Uuid,
  visitId: Uuid,
  ...legFields,
  createdAt: Instant,
  updatedAt: Instant,
  version: VersionNumber
}, { $id: 'Leg', title: 'Leg', description: 'A stay in one city during a visit.' })

export const LegCreate = Type.Object({
  ...legFields,
  sequence: Type.Optional(legFields.sequence)
}, {
  $id: 'LegCreate',
  title: 'LegCreate',
  additionalProperties: false,
  description: 'sequence defaults to one after the last leg of the visit.',
  examples: [{ city: 'Beijing', country: 'CN', timeZone: 'Asia/Shanghai', startDate: '2026-01-04', endDate: '2026-01-06' }]
})

export const LegPatch = Type.Partial(Type.Object(legFields), {
  $id: 'LegPatch',
  title: 'LegPatch',
  additionalProperties: false,
  minProperties: 1,
  description: 'The fields to change. Changing timeZone does not move engagements: each keeps its own instants and zone.',
  examples: [{ endDate: '2026-01-07' }]
})
