import Fastify, { type FastifyServerOptions } from 'fastify'
import type { TypeBoxTypeProvider } from '@fastify/type-provider-typebox'
import authPlugin from './plugins/auth.js'
import dbPlugin from './plugins/db.js'
import errorsPlugin from './plugins/errors.js'
import swaggerPlugin from './plugins/swagger.js'
import engagementRoutes from './routes/engagements/index.js'
import healthRoutes from './routes/health/index.js'
import legRoutes from './routes/legs/index.js'
import visitRoutes from './routes/visits/index.js'
import { addTimeFormats, timeFormats } from './schemas/formats.js'
import { sharedSchemas } from './schemas/index.js'

export interface AppOptions {
  databaseUrl: string
  /** token name → secret; an empty map leaves the API read-only. */
  apiTokens: Map<string, string>
  logger?: FastifyServerOptions['logger']
  bodyLimitBytes?: number
}

export async function buildApp (options: AppOptions) {
  const app = Fastify({
    logger: options.logger ?? false,
    bodyLimit: options.bodyLimitBytes ?? 262144,
    ajv: {
      // Unknown fields are refused rather than silently dropped: a typo must not look accepted.
      customOptions: { removeAdditional: false, coerceTypes: 'array', useDefaults: true, allErrors: false },
      onCreate: addTimeFormats
    },
    // The serializer compiles anyOf branches with its own Ajv, which must know the formats too.
    serializerOpts: { ajv: { formats: timeFormats } }
  }).withTypeProvider<TypeBoxTypeProvider>()

  for (const schema of sharedSchemas) app.addSchema(schema)
  // Fastify parses text/plain by default; this API takes JSON only, so anything else is a 415.
  app.removeContentTypeParser('text/plain')

  await app.register(errorsPlugin)
  await app.register(swaggerPlugin)
  await app.register(dbPlugin, { databaseUrl: options.databaseUrl })
  await app.register(authPlugin, { tokens: options.apiTokens })

  await app.register(healthRoutes)
  await app.register(async (v1) => {
    await v1.register(visitRoutes)
    await v1.register(legRoutes)
    await v1.register(engagementRoutes)
  }, { prefix: '/v1' })

  return app
}
