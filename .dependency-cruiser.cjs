/* global module */
// The layers and the one direction between them (routes -> services -> db, presenters, domain),
// checked by `npm run lint:deps`. Type-only imports count as imports, except where a rule says.
/** @type {import('dependency-cruiser').IConfiguration} */
module.exports = {
  forbidden: [
    {
      name: 'no-circular',
      severity: 'error',
      comment: 'An import cycle means two modules cannot be understood, tested or moved apart.',
      from: {},
      to: { circular: true }
    },
    {
      name: 'routes-only-from-app',
      severity: 'error',
      comment: 'Route plugins are registered by src/app.ts; anything else needing their code wants a service.',
      from: { pathNot: '^src/app\\.ts$' },
      to: { path: '^src/routes/' }
    },
    {
      name: 'routes-through-services',
      severity: 'error',
      comment: 'A route speaks HTTP and calls a service; reading rows and presenting them is the service\'s job.',
      from: { path: '^src/routes/' },
      to: { path: '^src/(db|presenters|generated)/' }
    },
    {
      name: 'domain-only-domain',
      severity: 'error',
      comment: 'Domain rules are plain functions, unit-tested alone: they import only each other and libraries.',
      from: { path: '^src/domain/' },
      to: { path: '^src/', pathNot: '^src/domain/' }
    },
    {
      name: 'db-not-upwards',
      severity: 'error',
      comment: 'The data layer knows nothing of HTTP: no services, routes or plugins, and no HTTP problems (it throws its own errors).',
      from: { path: '^src/db/' },
      to: { path: '^src/(services|routes|plugins|presenters|http)/|^src/(problems|preconditions)\\.ts$' }
    },
    {
      name: 'presenters-pure',
      severity: 'error',
      comment: 'Presenters turn rows into API views without reading anything: row types from db/ are all they may take from it.',
      from: { path: '^src/presenters/' },
      to: { path: '^src/(db|services|routes|plugins)/', dependencyTypesNot: ['type-only'] }
    },
    {
      name: 'services-not-http-plumbing',
      severity: 'error',
      comment: 'Services are called by routes, never the other way round, and do not depend on Fastify plugins.',
      from: { path: '^src/services/' },
      to: { path: '^src/(routes|plugins)/' }
    }
  ],
  options: {
    // The generated Prisma client is a library to us: seen where it is imported, not checked inside.
    doNotFollow: { path: ['node_modules', '^src/generated/'] },
    tsPreCompilationDeps: true,
    tsConfig: { fileName: 'tsconfig.json' }
  }
}
