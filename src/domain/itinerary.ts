export interface ItineraryEntry {
  legId: string | null
  time: { localDate: string }
}

export interface ItineraryDay<E> {
  localDate: string
  engagements: E[]
}

export interface Itinerary<L, E> {
  legs: Array<{ leg: L, days: Array<ItineraryDay<E>> }>
  unassigned: Array<ItineraryDay<E>>
}

/**
 * Puts engagements under their leg and, within it, under the local day they happen on (in the
 * engagement's own zone: a dinner in Shanghai belongs to the Shanghai evening whatever the
 * reader's zone). Legs keep the order given; engagements must come in chronological order,
 * which each day keeps. Engagements without a leg, or with a leg not listed, are `unassigned`.
 */
export function buildItinerary<L extends { id: string }, E extends ItineraryEntry> (legs: L[], engagements: E[]): Itinerary<L, E> {
  const daysByLeg = new Map<string | null, Map<string, E[]>>()
  for (const engagement of engagements) {
    const legKey = legs.some((leg) => leg.id === engagement.legId) ? engagement.legId : null
    const days = daysByLeg.get(legKey) ?? new Map<string, E[]>()
    daysByLeg.set(legKey, days)
    const day = days.get(engagement.time.localDate) ?? []
    days.set(engagement.time.localDate, day)
    day.push(engagement)
  }
  return {
    legs: legs.map((leg) => ({ leg, days: sortedDays(daysByLeg.get(leg.id)) })),
    unassigned: sortedDays(daysByLeg.get(null))
  }
}

function sortedDays<E> (days: Map<string, E[]> | undefined): Array<ItineraryDay<E>> {
  return [...(days ?? new Map<string, E[]>())]
    .sort(([a], [b]) => (a < b ? -1 : a > b ? 1 : 0))
    .map(([localDate, engagements]) => ({ localDate, engagements }))
}
