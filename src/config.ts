import { isIP } from 'node:net'
import envSchema from 'env-schema'
import { Type, type Static } from 'typebox'
import { TOKEN_SCOPES, isTokenScope, type BootstrapToken } from './domain/access.js'

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const

const SCOPE = `(${TOKEN_SCOPES.join('|')})`
const API_TOKEN = `[^:,\\s]+:[^:,\\s]{8,}(:${SCOPE}(\\+${SCOPE})*)?`

const ORIGIN = 'https?://[^,/\\s]+'
// An IPv4 or IPv6 address, optionally with a /prefix length (Fastify's trustProxy checks them).
const PROXY_ADDRESS = '[0-9A-Fa-f.:]+(/[0-9]{1,3})?'

const ConfigSchema = Type.Object({
  NODE_ENV: Type.Union([Type.Literal('development'), Type.Literal('production'), Type.Literal('test')], { default: 'development' }),
  HOST: Type.String({ minLength: 1, default: '127.0.0.1', description: 'an address to listen on, such as 127.0.0.1 or 0.0.0.0' }),
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 3000 }),
  LOG_LEVEL: Type.Union(LOG_LEVELS.map((level) => Type.Literal(level)), { default: 'info' }),
  DATABASE_URL: Type.Optional(Type.String({ pattern: '^postgres(ql)?://', description: 'a URL starting with postgres:// or postgresql://, or unset for the embedded database' })),
  EMBEDDED_DB_DIR: Type.String({ minLength: 1, default: '.data/pglite', description: 'a folder path' }),
  // The Redis every process of one deployment shares, so that rate limits count across them.
  REDIS_URL: Type.Optional(Type.String({ pattern: '^rediss?://', description: 'a URL starting with redis:// or rediss://, or unset to count rate limits in each process alone' })),
  // `name:secret` (every scope) or `name:secret:scope+scope` entries separated by commas; the
  // name is what logs and change records show.
  API_TOKENS: Type.String({
    default: '',
    pattern: `^$|^${API_TOKEN}(,${API_TOKEN})*$`,
    description: 'name:secret or name:secret:scope+scope entries separated by commas, secrets of 8 or more characters ' +
      `without ":", "," or spaces, scopes among ${TOKEN_SCOPES.join(', ')}`
  }),
  BODY_LIMIT_BYTES: Type.Integer({ minimum: 1024, maximum: 10485760, default: 262144 }),
  // Nothing may wait forever: a client sending slowly (408), a handler (503), an idle
  // keep-alive connection, a database connection attempt, a statement.
  REQUEST_TIMEOUT_MS: Type.Integer({ minimum: 1000, maximum: 600000, default: 30000 }),
  HANDLER_TIMEOUT_MS: Type.Integer({ minimum: 1000, maximum: 600000, default: 15000 }),
  KEEP_ALIVE_TIMEOUT_MS: Type.Integer({ minimum: 1000, maximum: 600000, default: 72000 }),
  DB_CONNECT_TIMEOUT_MS: Type.Integer({ minimum: 100, maximum: 60000, default: 5000 }),
  DB_STATEMENT_TIMEOUT_MS: Type.Integer({ minimum: 100, maximum: 600000, default: 10000 }),
  // Requests per minute, per token name (or per client IP without a token).
  RATE_LIMIT_READS_PER_MINUTE: Type.Integer({ minimum: 1, maximum: 1000000, default: 600 }),
  RATE_LIMIT_WRITES_PER_MINUTE: Type.Integer({ minimum: 1, maximum: 1000000, default: 60 }),
  // Requests per minute per client IP with a token that is not valid, on top of the budgets above.
  RATE_LIMIT_FAILED_AUTH_PER_MINUTE: Type.Integer({ minimum: 1, maximum: 1000000, default: 30 }),
  // How long shared caches and clients may reuse a list, itinerary or feed without asking again.
  CACHE_MAX_AGE_SECONDS: Type.Integer({ minimum: 0, maximum: 86400, default: 5 }),
  // Memory each process may fill with rendered responses, kept until the data changes (0: none).
  RESPONSE_CACHE_MAX_BYTES: Type.Integer({ minimum: 0, maximum: 4294967296, default: 33554432 }),
  // The proxies (load balancers) whose X-Forwarded-For and X-Forwarded-Proto/Host are believed,
  // so that the rate limits count each client and feeds link to the address the client used.
  TRUST_PROXY: Type.String({ default: '', pattern: `^$|^${PROXY_ADDRESS}(,${PROXY_ADDRESS})*$`, description: 'empty, or IP addresses and CIDR ranges separated by commas' }),
  // Browser origins allowed to write (and read with a token); any origin may make public reads.
  CORS_ORIGINS: Type.String({ default: '', pattern: `^$|^\\*$|^${ORIGIN}(,${ORIGIN})*$`, description: 'empty, * or http(s)://host[:port] origins separated by commas' }),
  // How long change records are kept for GET /v1/changes; an older cursor gets 410 and resyncs.
  CHANGE_RETENTION_DAYS: Type.Integer({ minimum: 1, maximum: 3650, default: 90 })
})

export type Config = Static<typeof ConfigSchema>

/** A variable that is not valid; the message names it and its rule, and nothing else. */
export class ConfigError extends Error {
  constructor (readonly variables: string[], message: string) {
    super(message)
    this.name = 'ConfigError'
  }
}

// Their values may hold a password or a secret: never repeated in a message.
const SECRET_VARIABLES = new Set(['DATABASE_URL', 'API_TOKENS', 'REDIS_URL'])

/**
 * Reads and validates the configuration once, at start. A bad value throws a ConfigError naming
 * each variable that is wrong and what it must look like, so the process stops before it listens.
 */
export function loadConfig (env: NodeJS.ProcessEnv = process.env): Config {
  try {
    // env: false reads `env` alone; env-schema would otherwise mix process.env in under it.
    return envSchema<Config>({ schema: ConfigSchema, data: env, env: false, dotenv: false })
  } catch (error) {
    const paths = ((error as { errors?: Array<{ instancePath: string }> }).errors ?? []).map((item) => item.instancePath)
    const variables = [...new Set(paths.map((path) => path.split('/')[1] ?? ''))].filter((name) => name in ConfigSchema.properties)
    if (variables.length === 0) throw error
    const problems = variables.map((name) => {
      const value = SECRET_VARIABLES.has(name) ? '' : ` (it is ${JSON.stringify(env[name])})`
      return `${name} must be ${ruleOf(name as keyof Config)}${value}`
    })
    throw new ConfigError(variables, `Invalid configuration: ${problems.join('; ')}.`)
  }
}

/** What a variable must look like, in words, from its schema. */
function ruleOf (name: keyof Config): string {
  const schema = ConfigSchema.properties[name] as { type?: string, minimum?: number, maximum?: number, description?: string, anyOf?: Array<{ const?: unknown }> }
  if (schema.description !== undefined) return schema.description
  if (schema.type === 'integer') return `a whole number from ${schema.minimum} to ${schema.maximum}`
  if (schema.anyOf !== undefined) return `one of ${schema.anyOf.map((option) => String(option.const)).join(', ')}`
  return 'a non-empty text'
}

export interface Timeouts {
  /** To receive a whole request (408 after). */
  requestMs: number
  /** To answer a request once received (503 after). */
  handlerMs: number
  /** An idle kept-alive connection stays open this long. */
  keepAliveMs: number
  /** To get a database connection (503 after). */
  databaseConnectMs: number
  /** For one SQL statement, enforced by Postgres. */
  databaseStatementMs: number
}

export interface RateLimits {
  readsPerMinute: number
  writesPerMinute: number
  /** Requests with a token that is not valid, per client IP, on top of the read and write budgets. */
  failedAuthenticationsPerMinute: number
}

/** What `buildApp` runs with, but for the database it is given once that is open. */
export interface AppSettings {
  /** The bootstrap tokens from API_TOKENS, by name; tokens stored in the database work too. */
  apiTokens: ReadonlyMap<string, BootstrapToken>
  bodyLimitBytes: number
  /** Seconds that lists and itineraries may be reused from a cache (Cache-Control max-age). */
  cacheMaxAgeSeconds: number
  /** Bytes of rendered responses kept in memory, least recently used dropped first; 0: no cache. */
  responseCacheMaxBytes: number
  timeouts: Timeouts
  /** Requests per minute per token (or per IP without a valid one), and failed authentications per IP. */
  rateLimits: RateLimits
  /** REDIS_URL: where the rate limits are counted for every process; undefined: each process counts alone. */
  redisUrl: string | undefined
  /** Browser origins allowed to write (CORS_ORIGINS). Any origin may read. */
  corsOrigins: readonly string[]
  /** Addresses and ranges of the proxies in front whose forwarding headers are believed (TRUST_PROXY); none by default. */
  trustedProxies: readonly string[]
  /** How long change records are kept (CHANGE_RETENTION_DAYS). */
  changeRetentionMs: number
  /** How often to publish engagements whose embargo has ended; 0: never. */
  publicationIntervalMs: number
}

/** What the process runs with: the app's settings, and what only the start-up code needs. */
export interface ServiceSettings {
  environment: Config['NODE_ENV']
  logLevel: Config['LOG_LEVEL']
  listen: { host: string, port: number }
  database: {
    /** DATABASE_URL; undefined for the embedded database. */
    url: string | undefined
    /** Where the embedded database keeps its files. */
    embeddedDir: string
  }
  app: AppSettings
}

const DAY_MS = 86_400_000

/** The one mapping from the variables to the settings; every default is the schema's. */
export function settingsFromConfig (config: Config): ServiceSettings {
  return {
    environment: config.NODE_ENV,
    logLevel: config.LOG_LEVEL,
    listen: { host: config.HOST, port: config.PORT },
    database: { url: config.DATABASE_URL, embeddedDir: config.EMBEDDED_DB_DIR },
    app: {
      apiTokens: parseApiTokens(config.API_TOKENS),
      bodyLimitBytes: config.BODY_LIMIT_BYTES,
      cacheMaxAgeSeconds: config.CACHE_MAX_AGE_SECONDS,
      responseCacheMaxBytes: config.RESPONSE_CACHE_MAX_BYTES,
      timeouts: {
        requestMs: config.REQUEST_TIMEOUT_MS,
        handlerMs: config.HANDLER_TIMEOUT_MS,
        keepAliveMs: config.KEEP_ALIVE_TIMEOUT_MS,
        databaseConnectMs: config.DB_CONNECT_TIMEOUT_MS,
        databaseStatementMs: config.DB_STATEMENT_TIMEOUT_MS
      },
      rateLimits: {
        readsPerMinute: config.RATE_LIMIT_READS_PER_MINUTE,
        writesPerMinute: config.RATE_LIMIT_WRITES_PER_MINUTE,
        failedAuthenticationsPerMinute: config.RATE_LIMIT_FAILED_AUTH_PER_MINUTE
      },
      redisUrl: config.REDIS_URL,
      corsOrigins: parseCorsOrigins(config.CORS_ORIGINS),
      trustedProxies: parseTrustedProxies(config.TRUST_PROXY),
      changeRetentionMs: config.CHANGE_RETENTION_DAYS * DAY_MS,
      // Not a variable of the environment: an embargo is lifted within a second of its end.
      publicationIntervalMs: 1000
    }
  }
}

/** Reads the environment once, at start (see loadConfig), into the settings. */
export function loadSettings (env: NodeJS.ProcessEnv = process.env): ServiceSettings {
  return settingsFromConfig(loadConfig(env))
}

/** Every setting at its default: what buildApp takes for an option it is not given. */
export const defaultSettings: Readonly<ServiceSettings> = loadSettings({})

/**
 * Parses `TRUST_PROXY` into its addresses and ranges. The schema checks the characters only;
 * an address that is not one (999.1.1.1, a /40 range of IPv4) would stop Fastify at start with
 * a stack trace instead of this one line.
 */
function parseTrustedProxies (value: string): string[] {
  const entries = value.split(',').filter(Boolean)
  const wrong = entries.find((entry) => {
    const [address = '', prefix] = entry.split('/')
    const family = isIP(address)
    return family === 0 || (prefix !== undefined && Number(prefix) > (family === 4 ? 32 : 128))
  })
  if (wrong !== undefined) {
    throw new ConfigError(['TRUST_PROXY'], `Invalid configuration: TRUST_PROXY must be ${ruleOf('TRUST_PROXY')} ("${wrong}" is not an IP address or CIDR range).`)
  }
  return entries
}

/** Parses `CORS_ORIGINS` (already validated by loadConfig) into the list of origins; `*` stays `*`. */
function parseCorsOrigins (value: string): string[] {
  return value.split(',').filter(Boolean)
}

/**
 * Parses `API_TOKENS` (already validated by loadConfig) into name → secret and scopes; an entry
 * without scopes has every scope.
 */
export function parseApiTokens (value: string): Map<string, BootstrapToken> {
  const tokens = new Map<string, BootstrapToken>()
  for (const entry of value.split(',').filter(Boolean)) {
    const [name = '', secret = '', ...scopeParts] = entry.split(':')
    // `read:embargoed` has a colon of its own: the scopes are everything after the secret.
    const scopes = scopeParts.length === 0 ? [...TOKEN_SCOPES] : scopeParts.join(':').split('+').filter(isTokenScope)
    tokens.set(name, { secret, scopes })
  }
  return tokens
}
