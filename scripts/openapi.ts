import { writeFile } from 'node:fs/promises'
import { buildApp } from '../src/app.js'

// Writes the OpenAPI document the routes describe to openapi/openapi.json (npm run openapi).
// Building the app opens no database connection, so no database is needed.
const app = await buildApp({ databaseUrl: 'postgresql://localhost/unused', apiTokens: new Map() })
await app.ready()
await writeFile(new URL('../openapi/openapi.json', import.meta.url), `${JSON.stringify(app.swagger(), null, 2)}\n`)
await app.close()
process.stdout.write('wrote openapi/openapi.json\n')
