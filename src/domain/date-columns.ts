// Prisma carries Postgres `date` columns as a JS Date at midnight UTC. These two functions are
// the only place that convention is known; they never involve the machine's local zone.

export function toDbDate (localDate: string): Date {
  return new Date(`${localDate}T00:00:00.000Z`)
}

export function fromDbDate (value: Date): string {
  return value.toISOString().slice(0, 10)
}
