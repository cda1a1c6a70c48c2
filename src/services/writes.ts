import type { PrismaClient } from '../db/client.js'
import type { TokenScope } from '../domain/access.js'
import type { ChangeAuthor } from '../domain/changes.js'

/** Who makes a write, and through which client; its change records name `author`. */
export interface WriteContext {
  prisma: PrismaClient
  author: ChangeAuthor
}

/** A write refused (412) unless the row is still at a version the client has seen. */
export interface ConditionalWrite extends WriteContext {
  /** The versions the client's If-Match names. */
  expectedVersions: readonly number[]
}

/** A write to an engagement, which the writer's scopes must let them see (else 404). */
export interface EngagementWriteContext extends WriteContext {
  scopes: readonly TokenScope[]
}
