import pg from 'pg'

/** What `pg_stat_activity.application_name` shows for the service's connections, unless DATABASE_URL names another. */
export const APPLICATION_NAME = 'itinerary-api'

/** Told of a connection that broke while no query was waiting on it, once per connection. */
export type ConnectionErrorListener = (error: Error) => void

/**
 * A `pg` pool whose connections cannot take the process down. When the server ends a
 * connection (57P01 on a restart or failover, idle_session_timeout, pg_terminate_backend), pg
 * reports it as an 'error' event on the client, and an 'error' event without a listener is
 * thrown as an uncaught exception. The listeners others attach come and go (pg-pool's while a
 * client is idle, @prisma/adapter-pg's during a transaction), and pg-pool hands a client to a
 * waiting transaction before the adapter listens, so every client here gets one of its own for
 * life, from the moment the pool makes it. Such an error needs nothing more: a query that was
 * using the connection fails by itself (503 to the client), and the pool replaces the client.
 */
export function createPool (config: pg.PoolConfig, onConnectionError: ConnectionErrorListener = () => {}): pg.Pool {
  const pool = new pg.Pool({ application_name: APPLICATION_NAME, ...config })
  // pg emits 57P01 and then "Connection terminated unexpectedly" for one connection, and the
  // pool repeats a client's error as its own: one report per connection is enough.
  const reported = new WeakSet<pg.ClientBase>()
  const report = (client: pg.ClientBase, error: Error) => {
    if (reported.has(client)) return
    reported.add(client)
    onConnectionError(error)
  }
  // 'connect' comes synchronously once a new client has connected, before anyone can use it.
  pool.on('connect', (client) => client.on('error', (error) => report(client, error)))
  pool.on('error', (error, client) => report(client, error))
  return pool
}
