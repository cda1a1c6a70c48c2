import type { PGLiteSocketServer } from '@electric-sql/pglite-socket'

// The parts of pglite-socket 0.2.17 (pinned exactly in package.json) that this module relies on.
interface QueuedMessage {
  handlerId: number
  message: Uint8Array
  onData (data: Uint8Array): void
  resolve (bytes: number): void
  reject (error: unknown): void
}

interface QueryQueue {
  queue: QueuedMessage[]
  processing: boolean
  lastHandlerId: number | null
  db: {
    isInTransaction (): boolean
    runExclusive<T> (work: () => Promise<T>): Promise<T>
    execProtocolRawStream (message: Uint8Array, options: { onRawData (data: Uint8Array): void }): Promise<unknown>
  }
  processQueue (): Promise<void>
  clearQueueForHandler (handlerId: number): void
}

// Parse, Bind, Describe, Execute, Close, Flush: a batch of the extended query protocol goes on
// until its Sync, and the unnamed statement and portal it uses belong to it alone.
const EXTENDED_QUERY_MESSAGES = new Set(['P', 'B', 'D', 'E', 'C', 'H'].map((letter) => letter.charCodeAt(0)))

/**
 * All connections of the socket server share PGlite's one session, and its queue takes one
 * message at a time from whichever connection is first, keeping to one connection only inside
 * a transaction. Two connections running statements at once (a pool under concurrent
 * requests) then interleave their Parse/Bind/Execute messages, so one binds the other's
 * statement: "portal does not exist", "bind message supplies 1 parameters"... This replaces
 * the queue's scheduler with one that also keeps to one connection from the first message of
 * an extended-query batch to its Sync.
 */
export function keepQueryBatchesTogether (server: PGLiteSocketServer): void {
  const queue = (server as unknown as { queryQueue: QueryQueue }).queryQueue
  let batchOwner: number | null = null

  queue.processQueue = async function processQueue (this: QueryQueue) {
    if (this.processing) return
    this.processing = true
    try {
      while (this.queue.length > 0) {
        const owner = batchOwner ?? (this.db.isInTransaction() ? this.lastHandlerId : null)
        const index = owner === null ? 0 : this.queue.findIndex((item) => item.handlerId === owner)
        // The owner's next message has not arrived yet; its enqueue starts the queue again.
        if (index === -1) break
        const [item] = this.queue.splice(index, 1) as [QueuedMessage]
        batchOwner = EXTENDED_QUERY_MESSAGES.has(item.message[0] ?? 0) ? item.handlerId : null
        this.lastHandlerId = item.handlerId
        let bytes = 0
        try {
          await this.db.runExclusive(() => this.db.execProtocolRawStream(item.message, {
            onRawData: (data) => {
              bytes += data.length
              item.onData(data)
            }
          }))
          item.resolve(bytes)
        } catch (error) {
          item.reject(error)
        }
      }
    } finally {
      this.processing = false
    }
  }

  const clearQueueForHandler = queue.clearQueueForHandler.bind(queue)
  queue.clearQueueForHandler = (handlerId) => {
    clearQueueForHandler(handlerId)
    // A connection that went away in the middle of a batch must not hold the others back.
    if (batchOwner === handlerId) {
      batchOwner = null
      void queue.processQueue()
    }
  }
}
