/**
 * The first `count` items of an ordered source after `start`, keeping only those a filter
 * passes, read batch by batch: each read starts after the last item of the previous batch and is
 * four times larger, up to `maxBatch`, until `count` items passed or the source ran out. For an
 * order only SQL computes (a search rank) under filters written for the ORM: the filter is asked
 * about one batch of ids at a time.
 */
export async function firstPassing<T extends { id: string }> (
  count: number,
  start: T | undefined,
  read: (after: T | undefined, size: number) => Promise<T[]>,
  passing: (ids: string[]) => Promise<ReadonlySet<string>>,
  maxBatch: number
): Promise<T[]> {
  const kept: T[] = []
  let after = start
  for (let size = Math.min(count, maxBatch); ; size = Math.min(size * 4, maxBatch)) {
    const batch = await read(after, size)
    const passed = batch.length === 0 ? new Set<string>() : await passing(batch.map((item) => item.id))
    kept.push(...batch.filter((item) => passed.has(item.id)))
    if (kept.length >= count || batch.length < size) return kept.slice(0, count)
    after = batch.at(-1)
  }
}

/** `rows` in the order of `items` (rows are fetched by id, in no order); an item without its row is left out. */
export function inOrderOf<R extends { id: string }> (items: ReadonlyArray<{ id: string }>, rows: readonly R[]): R[] {
  const byId = new Map(rows.map((row) => [row.id, row]))
  return items.flatMap((item) => {
    const row = byId.get(item.id)
    return row === undefined ? [] : [row]
  })
}
