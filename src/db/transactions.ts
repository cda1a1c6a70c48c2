import { setTimeout as sleep } from 'node:timers/promises'
import type { Prisma } from '../generated/prisma/client.js'
import type { PrismaClient } from './client.js'
import { isWriteConflict } from './unavailable.js'

// Two writes that touch the same shared rows in different orders (two people listed in opposite
// orders, a venue edited through two engagements) can deadlock, and Postgres then undoes one of
// them. Nothing of it was kept, so it is run again, a few times, after a short random pause that
// keeps the two from meeting again in step; only then is the client told to retry (503).
const ATTEMPTS = 5
const PAUSE_MS = 20

/** Runs `work` in one transaction, again from the start when Postgres undoes it for a deadlock or a serialization failure. */
export async function inTransaction<T> (prisma: PrismaClient, work: (tx: Prisma.TransactionClient) => Promise<T>): Promise<T> {
  for (let attempt = 1; ; attempt++) {
    try {
      return await prisma.$transaction(work)
    } catch (error) {
      if (attempt === ATTEMPTS || !isWriteConflict(error)) throw error
      await sleep(PAUSE_MS * attempt * (0.5 + Math.random()))
    }
  }
}
