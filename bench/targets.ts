/**
 * The servers measured (bench/servers.ts): the service with its response cache (as deployed) and
 * without; the baseline; the limit without and with its body cache; the service on the embedded
 * PGlite and on a Postgres server, each holding the demo visit, with and without the cache; and
 * the service's GET /healthz, taking its turn in the rounds of a scenario whose goal compares
 * with it, so that both are measured under the same load from elsewhere on the machine.
 */
export type Target =
  | 'service' | 'service-uncached' | 'baseline' | 'limit' | 'limit-cached'
  | 'embedded' | 'embedded-uncached' | 'server' | 'server-uncached' | 'healthz'

/** The servers one child process runs: the comparison's on the bench database, or the embedded comparison's. */
export type ServerSet = 'comparison' | 'embedded'
