import { DateTime, type Zone } from 'luxon'

/**
 * A zone's offsets, taken from luxon (the runtime's tz database) once per zone and year and then
 * looked up: asking Intl for an offset costs more than everything else a read does with a time.
 * Each year is scanned a day at a step and each change bisected to the millisecond, so the
 * offsets found are luxon's own at every instant, given that no zone has changed its clocks twice
 * within a day.
 */

const DAY_MS = 86_400_000

export interface OffsetChange {
  /** The first millisecond of the new offset. */
  at: number
  /** Offsets in minutes, as luxon gives them. */
  from: number
  to: number
}

interface ZoneYear {
  /** The offset at the year's first instant (UTC). */
  offsetAtStart: number
  changes: OffsetChange[]
}

// A few hundred bytes per zone and year, at most this many kept, the oldest forgotten first.
const ZONE_YEARS_KEPT = 20_000
const zoneYears = new Map<string, ZoneYear>()
// The years scanned; an instant outside them (past the supported range) is asked of luxon directly.
const FIRST_YEAR = 1
const LAST_YEAR = 9999

function zoneYear (zone: Zone, year: number): ZoneYear {
  const key = `${zone.name} ${year}`
  const kept = zoneYears.get(key)
  if (kept !== undefined) return kept
  const end = DateTime.utc(year + 1).toMillis()
  let at = DateTime.utc(year).toMillis()
  const offsetAtStart = zone.offset(at)
  const changes: OffsetChange[] = []
  let offset = offsetAtStart
  while (at < end) {
    const next = at + DAY_MS
    if (zone.offset(next) !== offset) {
      let before = at
      let after = next
      while (after - before > 1) {
        const middle = Math.floor((before + after) / 2)
        if (zone.offset(middle) === offset) before = middle
        else after = middle
      }
      const to = zone.offset(after)
      changes.push({ at: after, from: offset, to })
      offset = to
    }
    at = next
  }
  if (zoneYears.size >= ZONE_YEARS_KEPT) zoneYears.delete(zoneYears.keys().next().value as string)
  const scanned = { offsetAtStart, changes }
  zoneYears.set(key, scanned)
  return scanned
}

/** The instants in this UTC year at which the zone's offset changes, in order. */
export function offsetChangesIn (zone: Zone, year: number): readonly OffsetChange[] {
  return zoneYear(zone, year).changes
}

/** The zone's offset at the instant, in minutes: what `zone.offset(instant)` answers. */
export function offsetAt (zone: Zone, instant: number): number {
  if (zone.isUniversal) return zone.offset(instant)
  const year = new Date(instant).getUTCFullYear()
  if (!(year >= FIRST_YEAR && year <= LAST_YEAR)) return zone.offset(instant)
  const { offsetAtStart, changes } = zoneYear(zone, year)
  let offset = offsetAtStart
  for (const change of changes) {
    if (change.at > instant) break
    offset = change.to
  }
  return offset
}
