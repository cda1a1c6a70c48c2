import { createHash, randomBytes, timingSafeEqual } from 'node:crypto'
import { InputError } from './errors.js'

/**
 * What a token may do. Reads of public data need no token at all; `read:embargoed` also shows
 * engagements still under embargo, `write` allows every change, `admin` is kept for managing
 * the service itself.
 */
export const TOKEN_SCOPES = ['read:embargoed', 'write', 'admin'] as const
export type TokenScope = typeof TOKEN_SCOPES[number]

/** A token from `API_TOKENS`: the bootstrap that works before any token is in the database. */
export interface BootstrapToken {
  secret: string
  scopes: TokenScope[]
}

// A prefix that lets secret scanners and people recognise a leaked secret as one of ours.
const SECRET_PREFIX = 'itn_'
const SECRET_BYTES = 32

/** A new random secret: 256 bits, base64url, prefixed with `itn_`. */
export function generateTokenSecret (): string {
  return SECRET_PREFIX + randomBytes(SECRET_BYTES).toString('base64url')
}

/** The SHA-256 of a secret, in hex: the only form in which a database token's secret is kept. */
export function secretDigest (secret: string): string {
  return createHash('sha256').update(secret).digest('hex')
}

/**
 * The bootstrap token whose secret is `presented`, or null. Both sides are compared as SHA-256
 * digests (equal lengths, so timingSafeEqual applies), and every token is compared, so the time
 * taken says neither how much of a secret was right nor which token came close.
 */
export function matchBootstrapToken (presented: string, tokens: ReadonlyMap<string, BootstrapToken>): { name: string, scopes: TokenScope[] } | null {
  const presentedDigest = Buffer.from(secretDigest(presented), 'hex')
  let match: { name: string, scopes: TokenScope[] } | null = null
  for (const [name, token] of tokens) {
    if (timingSafeEqual(presentedDigest, Buffer.from(secretDigest(token.secret), 'hex'))) match = { name, scopes: token.scopes }
  }
  return match
}

export function isTokenScope (value: string): value is TokenScope {
  return (TOKEN_SCOPES as readonly string[]).includes(value)
}

/** Whether a request made with these scopes may see engagements that are still under embargo. */
export function canReadEmbargoed (scopes: readonly TokenScope[]): boolean {
  return scopes.includes('read:embargoed')
}

const TOKEN_NAME = /^[A-Za-z0-9][A-Za-z0-9._-]{0,63}$/

/**
 * Checks a new token's name and scopes and returns the scopes once each, in the order of
 * TOKEN_SCOPES. Names show up in logs and change records, so they stay short and plain.
 */
export function checkNewToken (name: string, scopes: readonly string[]): TokenScope[] {
  if (!TOKEN_NAME.test(name)) {
    throw new InputError('invalid', `"${name}" is not a usable token name: use 1 to 64 letters, digits, ".", "_" or "-", starting with a letter or digit.`)
  }
  const unknown = scopes.find((scope) => !isTokenScope(scope))
  if (unknown !== undefined) {
    throw new InputError('invalid', `"${unknown}" is not a scope; use one or more of: ${TOKEN_SCOPES.join(', ')}.`)
  }
  if (scopes.length === 0) {
    throw new InputError('invalid', `A token needs at least one scope: ${TOKEN_SCOPES.join(', ')}.`)
  }
  return TOKEN_SCOPES.filter((scope) => scopes.includes(scope))
}
