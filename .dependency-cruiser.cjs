/* global module */
// The layers and the one direction between them (routes -> services -> db, presenters, domain),
// checked by `npm run lint:deps`. Type-only imports count as imports, except where a rule says.

/** An import from `from` to `to` fails the check; `comment` is what the failure tells the writer. */
const forbid = (name, comment, from, to) => ({ name, severity: 'error', comment, from, to })

/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    forbid('no-circular', 'An import cycle means two modules cannot be understood, tested or moved apart.',
      {}, { circular: true }),
    forbid('routes-only-from-app', 'Route plugins are registered by src/app.ts; anything else needing their code wants a service.',
      { pathNot: '^src/app\\.ts$' }, { path: '^src/routes/' }),
    forbid('routes-through-services', 'A route speaks HTTP and calls a service; reading rows and presenting them is the service\'s job.',
      { path: '^src/routes/' }, { path: '^src/(db|presenters|generated)/' }),
    forbid('domain-only-domain', 'Domain rules are plain functions, unit-tested alone: they import only each other and libraries.',
      { path: '^src/domain/' }, { path: '^src/', pathNot: '^src/domain/' }),
    forbid('db-not-upwards', 'The data layer knows nothing of HTTP: no services, routes, plugins or presenters, and no HTTP problems.',
      { path: '^src/db/' }, { path: '^src/(services|routes|plugins|presenters|http)/|^src/(problems|preconditions)\\.ts$' }),
    forbid('presenters-pure', 'Presenters turn rows into API views without reading anything: row types are all they may take from db/.',
      { path: '^src/presenters/' }, { path: '^src/(db|services|routes|plugins)/', dependencyTypesNot: ['type-only'] }),
    forbid('services-through-db', 'Services hold the use cases; queries are db/\'s. Call (or add) a function in src/db/ that says what it reads or writes; ' +
      'Prisma\'s types may be imported here (import type), its values (Prisma.sql, Prisma.DbNull, error classes) belong in db/.',
    { path: '^src/services/' }, { path: '^src/generated/', dependencyTypesNot: ['type-only'] }),
    forbid('services-not-http-plumbing', 'Services are called by routes, never the other way round, and do not depend on Fastify plugins.',
      { path: '^src/services/' }, { path: '^src/(routes|plugins)/' })
  ],
  options: {
    // The generated Prisma client is a library to us: seen where it is imported, not checked inside.
    doNotFollow: { path: ['node_modules', '^src/generated/'] },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' }
  }
}
