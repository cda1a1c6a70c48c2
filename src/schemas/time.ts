import { Type } from 'typebox'
import { DISAMBIGUATIONS, PART_OF_DAY_HOURS, PARTS_OF_DAY, PRECISIONS, TIME_LABEL_MAX_LENGTH } from '../domain/time-window.js'
import { Instant, LocalDate, Nullable, TEXT_PATTERN, TimeZoneName } from './common.js'

const Precision = Type.Enum([...PRECISIONS], {
  description: 'How much of the time is known: an exact start (and maybe end), a part of a local day, only the local day, ' +
    'or nothing yet (tbd: "to be decided"; its window is the announced day, else the leg\'s or visit\'s dates, and no hour is made up).'
})

const hour = (value: number) => `${String(value).padStart(2, '0')}:00`

// The hours are the domain's, so the description cannot drift from what is stored.
const PartOfDay = Type.Enum([...PARTS_OF_DAY], {
  description: `${PARTS_OF_DAY.map((name) => `${name} ${hour(PART_OF_DAY_HOURS[name].startHour)}-${hour(PART_OF_DAY_HOURS[name].endHour)}`).join(', ')}, local time.`
})

const LocalDateTime = (description: string) => Type.String({
  format: 'local-date-time',
  maxLength: 32,
  description,
  examples: ['2026-01-05T15:00']
})

const NullableLocal = (description: string) => Nullable(Type.String({ examples: ['2026-01-05T18:00:00+08:00'] }), { description })

const ZonedStart = Type.String({
  description: 'localStart with its zone, as RFC 9557 (and Temporal.ZonedDateTime) write it.',
  examples: ['2026-01-05T12:00:00+08:00[Asia/Shanghai]']
})
const ZonedEnd = Nullable(Type.String({ examples: ['2026-01-05T18:00:00+08:00[Asia/Shanghai]'] }), { description: 'localEnd in RFC 9557 form.' })

/** The documented example of a time window: the demo's summit with Xi Jinping, as the API presents it. */
export const TIME_WINDOW_EXAMPLE = {
  timeZone: 'Asia/Shanghai',
  precision: 'part_of_day',
  partOfDay: 'afternoon',
  startsAt: '2026-01-05T04:00:00.000Z',
  endsAt: '2026-01-05T10:00:00.000Z',
  localStart: '2026-01-05T12:00:00+08:00',
  localEnd: '2026-01-05T18:00:00+08:00',
  localDate: '2026-01-05',
  zonedStart: '2026-01-05T12:00:00+08:00[Asia/Shanghai]',
  zonedEnd: '2026-01-05T18:00:00+08:00[Asia/Shanghai]',
  label: 'Monday 5 January 2026, afternoon'
}

export const TimeWindow = Type.Object({
  timeZone: TimeZoneName,
  precision: Precision,
  partOfDay: Nullable(PartOfDay),
  startsAt: Type.String({ description: 'Start instant in UTC.', examples: ['2026-01-05T04:00:00.000Z'] }),
  endsAt: Nullable(Type.String({ examples: ['2026-01-05T10:00:00.000Z'] }), { description: 'End instant in UTC; null when only the start is known.' }),
  localStart: Type.String({ description: 'Start as wall-clock time with offset, in timeZone.', examples: ['2026-01-05T12:00:00+08:00'] }),
  localEnd: NullableLocal('End as wall-clock time with offset, in timeZone.'),
  localDate: LocalDate,
  zonedStart: ZonedStart,
  zonedEnd: ZonedEnd,
  label: Type.String({
    description: 'How to say it, in English, on the clock where it happens: the writer\'s own words when given, else derived ' +
      'from the window ("Monday 5 January 2026, afternoon", "..., time to be announced").',
    examples: ['Monday 5 January 2026, afternoon']
  })
}, {
  $id: 'TimeWindow',
  title: 'TimeWindow',
  description: 'When an engagement happens, as precisely as it is known, in the zone it happens in.',
  examples: [TIME_WINDOW_EXAMPLE]
})

export const ViewerTime = Type.Object({
  timeZone: TimeZoneName,
  localStart: Type.String({ examples: ['2025-12-31T23:00:00-05:00'] }),
  localEnd: NullableLocal('End in the viewer zone; null when the end is unknown.'),
  localDate: LocalDate,
  zonedStart: ZonedStart,
  zonedEnd: ZonedEnd
}, {
  $id: 'ViewerTime',
  title: 'ViewerTime',
  description: 'The same window in the zone asked for with ?tz=.'
})

export const TimeWindowInput = Type.Object({
  timeZone: Type.Optional(TimeZoneName),
  precision: Precision,
  localStart: Type.Optional(LocalDateTime('With precision exact: wall-clock start without offset, read in timeZone.')),
  localEnd: Type.Optional(LocalDateTime('With precision exact and localStart: wall-clock end without offset.')),
  startsAt: Type.Optional(Instant),
  endsAt: Type.Optional(Instant),
  localDate: Type.Optional(LocalDate),
  partOfDay: Type.Optional(PartOfDay),
  disambiguation: Type.Optional(Type.Enum([...DISAMBIGUATIONS], {
    description: 'Which of the two occurrences a wall-clock time means when clocks fall back and it happens twice.'
  })),
  label: Type.Optional(Type.String({
    minLength: 1,
    maxLength: TIME_LABEL_MAX_LENGTH,
    pattern: TEXT_PATTERN,
    description: 'Your own words for the time, shown instead of the derived label.',
    examples: ['After the summit, before the state banquet']
  }))
}, {
  $id: 'TimeWindowInput',
  title: 'TimeWindowInput',
  additionalProperties: false,
  description: 'timeZone defaults to the leg\'s zone. Send one of: precision exact with localStart [localEnd] ' +
    'or with startsAt [endsAt]; precision part_of_day with localDate and partOfDay; precision date with localDate; ' +
    'precision tbd with localDate when the day is announced, or alone (the window is then the leg\'s, else the visit\'s, dates). ' +
    'A local time inside a daylight-saving gap is refused (422); one that happens twice needs disambiguation.',
  examples: [
    { precision: 'part_of_day', localDate: '2026-01-05', partOfDay: 'afternoon' },
    { precision: 'exact', timeZone: 'Asia/Shanghai', localStart: '2026-01-05T15:00', localEnd: '2026-01-05T16:30' },
    { precision: 'date', localDate: '2026-01-07' },
    { precision: 'tbd', localDate: '2026-01-06' }
  ]
})
