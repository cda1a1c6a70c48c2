/**
 * The servers measured (bench/servers.ts): the service with its response cache (as deployed) and
 * without; the baseline; the limit without and with its body cache; the service on the embedded
 * PGlite and on a Postgres server, each holding the demo visit, with and without the cache.
 */
export type Target =
  | 'service' | 'service-uncached' | 'baseline' | 'limit' | 'limit-cached'
  | 'embedded' | 'embedded-uncached' | 'server' | 'server-uncached'

/** The servers one child process runs: the comparison's on the bench database, or the embedded comparison's. */
export type ServerSet = 'comparison' | 'embedded'
