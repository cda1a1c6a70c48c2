import envSchema from 'env-schema'
import { Type, type Static } from 'typebox'

const LOG_LEVELS = ['fatal', 'error', 'warn', 'info', 'debug', 'trace', 'silent'] as const

const ConfigSchema = Type.Object({
  NODE_ENV: Type.Union([Type.Literal('development'), Type.Literal('production'), Type.Literal('test')], { default: 'development' }),
  HOST: Type.String({ minLength: 1, default: '127.0.0.1' }),
  PORT: Type.Integer({ minimum: 0, maximum: 65535, default: 3000 }),
  LOG_LEVEL: Type.Union(LOG_LEVELS.map((level) => Type.Literal(level)), { default: 'info' }),
  DATABASE_URL: Type.Optional(Type.String({ pattern: '^postgres(ql)?://' })),
  EMBEDDED_DB_DIR: Type.String({ minLength: 1, default: '.data/pglite' }),
  // `name:secret` pairs separated by commas; the name is what logs and change records show.
  API_TOKENS: Type.String({ default: '', pattern: '^$|^[^:,\\s]+:[^,\\s]{8,}(,[^:,\\s]+:[^,\\s]{8,})*$' }),
  BODY_LIMIT_BYTES: Type.Integer({ minimum: 1024, maximum: 10485760, default: 262144 })
})

export type Config = Static<typeof ConfigSchema>

/**
 * Reads and validates the configuration once, at start. A bad value throws with the name of
 * the variable and what it must look like, so the process stops before it listens.
 */
export function loadConfig (env: NodeJS.ProcessEnv = process.env): Config {
  try {
    return envSchema<Config>({ schema: ConfigSchema, data: env, dotenv: false })
  } catch (error) {
    const reason = error instanceof Error ? error.message : String(error)
    throw new Error(
      `Invalid configuration: ${reason}. ` +
      'PORT is 0-65535; DATABASE_URL starts with postgres:// or postgresql://; ' +
      'API_TOKENS is name:secret[,name:secret...] with secrets of 8 or more characters; ' +
      `LOG_LEVEL is one of ${LOG_LEVELS.join(', ')}.`
    )
  }
}

/** Parses `API_TOKENS` (already validated by loadConfig) into name → secret. */
export function parseApiTokens (value: string): Map<string, string> {
  const tokens = new Map<string, string>()
  for (const pair of value.split(',').filter(Boolean)) {
    const separator = pair.indexOf(':')
    tokens.set(pair.slice(0, separator), pair.slice(separator + 1))
  }
  return tokens
}
