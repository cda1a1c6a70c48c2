import { readFile, rename, rm, writeFile } from 'node:fs/promises'
import { isIP } from 'node:net'
import { join, resolve } from 'node:path'
import type { ServiceSettings } from '../config.js'
import { createApiToken } from '../db/api-tokens.js'
import type { PrismaClient } from '../db/client.js'
import { secretDigest } from '../domain/access.js'

/** The token `npm start` makes for a newcomer's first write, on the embedded database only. */
export const LOCAL_DEV_TOKEN_NAME = 'local-dev'
const SECRET_FILE = 'local-dev-token'

/**
 * Whether this start may make (or reuse) the local development token: only for a local trial,
 * that is on the embedded database, with no API_TOKENS (whoever set them chose their own
 * tokens), outside production, and listening on a loopback address, so that the token works
 * from this machine only. Never with DATABASE_URL: a shared database gets its tokens from
 * `npm run token`, on purpose.
 */
export function allowsLocalDevToken (settings: ServiceSettings): boolean {
  return settings.database.url === undefined &&
    settings.database.embeddedDir !== 'memory://' &&
    settings.app.apiTokens.size === 0 &&
    settings.environment !== 'production' &&
    isLoopback(settings.listen.host)
}

/**
 * The file holding the secret of the local development token, made on the first start (the
 * token has the write scope only; the file is readable by this user only, in the database's
 * folder, so deleting the folder deletes both). Null when the token cannot be used: revoked by
 * someone with `npm run token -- revoke --name local-dev`, or its file removed (the secret is
 * stored nowhere else, and a name stays taken).
 */
export async function localDevTokenFile (prisma: PrismaClient, dataDir: string): Promise<string | null> {
  const file = resolve(join(dataDir, SECRET_FILE))
  const token = await prisma.apiToken.findUnique({ where: { name: LOCAL_DEV_TOKEN_NAME }, select: { secretDigest: true, revokedAt: true } })
  if (token === null) {
    const { secret } = await createApiToken(prisma, { name: LOCAL_DEV_TOKEN_NAME, scopes: ['write'] })
    const temporary = `${file}.tmp`
    // A new file, so that the mode applies (writeFile keeps an existing file's mode).
    await rm(temporary, { force: true })
    await writeFile(temporary, `${secret}\n`, { mode: 0o600, flag: 'wx' })
    await rename(temporary, file)
    return file
  }
  const secret = await readFile(file, 'utf8').then((text) => text.trim(), () => null)
  return token.revokedAt === null && secret !== null && secretDigest(secret) === token.secretDigest ? file : null
}

function isLoopback (host: string): boolean {
  if (host === 'localhost') return true
  if (isIP(host) === 4) return host.startsWith('127.')
  return host === '::1'
}
