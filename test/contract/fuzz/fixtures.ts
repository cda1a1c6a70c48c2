import { createEngagement, createLeg, createVisit, type Http } from '../../helper.js'

/** The resource a path parameter names: the path segment before it ("legs" in /v1/legs/{id}). */
export function resourceOf (path: string, parameter: string): string {
  const segments = path.split('/')
  return segments[segments.indexOf(`{${parameter}}`) - 1] ?? ''
}

/** How a generated request addresses a real row: by id, or (visits) by slug. */
export type FixtureKey = 'id' | 'slug'

interface Row { id: string, slug?: string }

/**
 * Real rows for valid requests to meet: a visit with two legs and engagements (one with venue,
 * participants and sources), named after the seed plus a random part so that runs never
 * collide, and rows made on demand for requests that delete.
 */
export class Fixtures {
  private readonly rows = new Map<string, Row>()
  /** A visit no generated request names, to hold the legs and engagements made to be deleted. */
  private scratchVisitId = ''

  constructor (private readonly http: Http, private readonly seed: number) {}

  async create (): Promise<void> {
    const visit = await createVisit(this.http, { slug: this.newSlug(), title: 'Fuzz fixture visit' })
    this.scratchVisitId = (await createVisit(this.http, { slug: this.newSlug(), title: 'Fuzz scratch visit' })).id
    this.rows.set('visits', { id: visit.id, slug: visit.slug })
    const beijing = await createLeg(this.http, visit.id)
    await createLeg(this.http, visit.id, { city: 'Shanghai', startDate: '2026-01-06', endDate: '2026-01-07' })
    this.rows.set('legs', { id: beijing.id })
    const summit = await createEngagement(this.http, visit.id, {
      legId: beijing.id,
      title: 'Summit with President Xi Jinping',
      kind: 'summit',
      time: { precision: 'part_of_day', localDate: '2026-01-05', partOfDay: 'afternoon' },
      venue: { name: 'Great Hall of the People', city: 'Beijing', country: 'CN' },
      participants: [{ name: 'Xi Jinping', role: 'counterpart', country: 'CN' }],
      sources: [{ url: 'https://example.org/report', title: 'Report' }]
    })
    await createEngagement(this.http, visit.id, {
      title: 'Arrival in Beijing', kind: 'arrival', time: { precision: 'date', localDate: '2026-01-04', timeZone: 'Asia/Shanghai' }
    })
    this.rows.set('engagements', { id: summit.id })
    const [counterpart] = (summit as unknown as { participants: Array<{ participantId: string }> }).participants
    if (counterpart !== undefined) this.rows.set('participants', { id: counterpart.participantId })
  }

  /** The shared row a path parameter of `path` can name, or undefined for resources without one. */
  key (path: string, parameter: string, key: FixtureKey): string | undefined {
    const row = this.rows.get(resourceOf(path, parameter))
    return key === 'slug' ? row?.slug ?? row?.id : row?.id
  }

  has (path: string, parameter: string): boolean {
    return this.rows.has(resourceOf(path, parameter))
  }

  /** A new row of the resource a path parameter names, for a request that deletes it. */
  async disposable (path: string, parameter: string, key: FixtureKey): Promise<string | undefined> {
    switch (resourceOf(path, parameter)) {
      case 'visits': {
        const visit = await createVisit(this.http, { slug: this.newSlug() })
        return key === 'slug' ? visit.slug : visit.id
      }
      case 'legs': return (await createLeg(this.http, this.scratchVisitId, { city: 'Tianjin', startDate: '2026-01-05', endDate: '2026-01-05' })).id
      case 'engagements':
        return (await createEngagement(this.http, this.scratchVisitId, { time: { precision: 'date', localDate: '2026-01-05', timeZone: 'Asia/Shanghai' } })).id
      default: return undefined
    }
  }

  /**
   * The body with its references (a top-level `legId`, `visitId`...) pointed at the shared rows,
   * so that a valid body does not fail only because a random id names nothing.
   */
  linked (body: unknown): unknown {
    if (body === null || typeof body !== 'object' || Array.isArray(body)) return body
    return Object.fromEntries(Object.entries(body).map(([name, value]) => {
      const row = name.endsWith('Id') && typeof value === 'string' ? this.rows.get(`${name.slice(0, -2)}s`) : undefined
      return [name, row?.id ?? value]
    }))
  }

  /** A PATCH may rename the shared visit; later requests by slug must follow it. */
  noteVisit (visit: { id?: unknown, slug?: unknown }): void {
    const row = this.rows.get('visits')
    if (row !== undefined && visit.id === row.id && typeof visit.slug === 'string') row.slug = visit.slug
  }

  private newSlug (): string {
    return `fuzz-${this.seed.toString(36)}-${Math.random().toString(36).slice(2, 8)}`
  }
}
