// npm run token -- create --name desk --scope write [--scope read:embargoed]
// npm run token -- list
// npm run token -- revoke --name desk
//
// Manages the API tokens stored in the database: DATABASE_URL's, or else the embedded one in
// EMBEDDED_DB_DIR (through the server running on it, if one does). `create` prints the new
// secret once: only its SHA-256 digest is stored, so it cannot be shown again. It refuses the
// name of a bootstrap token in API_TOKENS, as the server refuses API_TOKENS naming a database token.
import { parseArgs } from 'node:util'
import { loadSettings, type ServiceSettings } from '../src/config.js'
import { createApiToken, listApiTokens, revokeApiToken, type ApiTokenSummary } from '../src/db/api-tokens.js'
import { createPrismaClient, type PrismaClient } from '../src/db/client.js'
import { TOKEN_SCOPES } from '../src/domain/access.js'
import { InputError } from '../src/domain/errors.js'
import { openScriptDatabase } from '../src/startup/database.js'
import { exitOnStartupFailure } from '../src/startup/errors.js'

const USAGE = `Usage:
  npm run token -- create --name <name> --scope <scope> [--scope <scope>...]
  npm run token -- list
  npm run token -- revoke --name <name>
Scopes: ${TOKEN_SCOPES.join(', ')}. The database is DATABASE_URL's, or the embedded one in EMBEDDED_DB_DIR (default .data/pglite).`

function parseCommandLine () {
  try {
    return parseArgs({ allowPositionals: true, options: { name: { type: 'string' }, scope: { type: 'string', multiple: true } } })
  } catch (error) {
    console.error(`${error instanceof Error ? error.message : String(error)}\n${USAGE}`)
    process.exit(1)
  }
}
const { positionals, values } = parseCommandLine()
const [command] = positionals

function requiredName (): string {
  if (values.name === undefined) throw new InputError('invalid', `${command} needs --name <name>.\n${USAGE}`)
  return values.name
}

const when = (instant: Date | null) => instant?.toISOString() ?? '-'

function table (tokens: ApiTokenSummary[]): string {
  const rows = [['NAME', 'SCOPES', 'CREATED', 'LAST USED', 'REVOKED'], ...tokens.map((token) => [
    token.name, token.scopes.join(','), when(token.createdAt), when(token.lastUsedAt), when(token.revokedAt)
  ])]
  const widths = rows[0]!.map((_, column) => Math.max(...rows.map((row) => row[column]!.length)))
  return rows.map((row) => row.map((cell, column) => cell.padEnd(widths[column]!)).join('  ').trimEnd()).join('\n') + '\n'
}

async function run (prisma: PrismaClient, bootstrapTokenNames: Iterable<string>): Promise<string> {
  switch (command) {
    case 'create': {
      const { token, secret } = await createApiToken(prisma, { name: requiredName(), scopes: values.scope ?? [] }, bootstrapTokenNames)
      return `Created token "${token.name}" with the scopes ${token.scopes.join(', ')}.\n` +
        'Its secret, shown this once (only its SHA-256 digest is stored):\n\n' +
        `  ${secret}\n\n` +
        'Send it as the header Authorization: Bearer <secret>.\n'
    }
    case 'list': {
      const tokens = await listApiTokens(prisma)
      return tokens.length === 0
        ? 'No tokens in the database yet; create one with npm run token -- create --name <name> --scope write\n'
        : table(tokens)
    }
    case 'revoke': {
      const token = await revokeApiToken(prisma, requiredName())
      return `Token "${token.name}" is revoked since ${when(token.revokedAt)}; requests made with it get 401.\n`
    }
    default:
      throw new InputError('invalid', `${command === undefined ? 'No command given' : `Unknown command "${command}"`}.\n${USAGE}`)
  }
}

let settings: ServiceSettings
try {
  settings = loadSettings()
} catch (error) {
  exitOnStartupFailure(error)
}
const database = await openScriptDatabase(settings).catch(exitOnStartupFailure)
const prisma = createPrismaClient(database.connectionString, { maxConnections: 1, timeouts: settings.app.timeouts })
try {
  process.stdout.write(await run(prisma, settings.app.apiTokens.keys()))
} catch (error) {
  console.error(error instanceof InputError ? error.message : `The token command failed: ${error instanceof Error ? error.message : String(error)}`)
  process.exitCode = 1
} finally {
  await prisma.$disconnect()
  await database.close()
}
