import fp from 'fastify-plugin'
import swagger from '@fastify/swagger'
import swaggerUi from '@fastify/swagger-ui'

export const API_DESCRIPTION = `Diplomatic itineraries (visits, their legs and engagements) with honest times.

Every engagement has a \`time\` window stored as UTC instants plus the IANA zone it happens in, with a
\`precision\` that says how much is known: \`exact\`, \`part_of_day\` (morning, midday, afternoon, evening)
or \`date\`. Add \`?tz=<IANA zone>\` to any read to also get \`viewer\` times in the reader's zone.

Reads are public. Writes need \`Authorization: Bearer <token>\` with a token that has the \`write\` scope
(401 without a valid token, 403 without the scope). A read may carry a token too, which must then be
valid; with the \`read:embargoed\` scope it also shows engagements whose \`embargoUntil\` is still ahead,
which are otherwise absent (404, left out of lists and itineraries). What an embargoed engagement says about
a shared venue or person (an address, a country, a translation) reaches other engagements, participant records,
search and the change feed only when it is published. Every error is an RFC 9457
problem (\`application/problem+json\`).`

/** The OpenAPI document (built from the route schemas), served at /openapi.json, and Swagger UI at /docs. */
export default fp(async (app) => {
  await app.register(swagger, {
    openapi: {
      openapi: '3.1.0',
      info: {
        title: 'Diplomatic itinerary API',
        version: '1.0.0',
        description: API_DESCRIPTION,
        license: { name: 'UNLICENSED', identifier: 'UNLICENSED' }
      },
      servers: [{ url: '/', description: 'This server' }],
      // Reads are public; an operation that needs a scope asks for bearerAuth itself (src/plugins/auth.ts).
      security: [],
      tags: [
        { name: 'visits', description: 'Trips and their itineraries' },
        { name: 'legs', description: 'Stays in one city' },
        { name: 'engagements', description: 'What happens, where, when and with whom' },
        { name: 'participants', description: 'People, one record across visits: search, their engagements, Wikidata ids and names in other languages' },
        { name: 'changes', description: 'What changed, by whom and why, deletions included: a feed to mirror from and each visit\'s history' },
        { name: 'health', description: 'Liveness and readiness probes' }
      ],
      components: {
        securitySchemes: {
          bearerAuth: { type: 'http', scheme: 'bearer', description: 'A token from `npm run token -- create` or API_TOKENS, with scopes among read:embargoed, write and admin.' }
        }
      }
    },
    // Shared schemas become components named after their $id instead of def-0, def-1...
    refResolver: {
      buildLocalReference (json, _baseUri, _fragment, i) {
        return typeof json.$id === 'string' ? json.$id : `Schema${i}`
      }
    }
  })

  await app.register(swaggerUi, {
    routePrefix: '/docs',
    uiConfig: { deepLinking: true, docExpansion: 'list', tryItOutEnabled: false }
  })

  app.get('/openapi.json', { schema: { hide: true } }, async () => app.swagger())
}, { name: 'swagger' })
