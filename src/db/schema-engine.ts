// Prisma's schema engine (the part of `prisma migrate` that applies and diffs migrations), run
// from its WebAssembly build. The CLI's native engine is downloaded on first use, which these
// machines cannot do; the WebAssembly build ships in an npm package and reaches Postgres through
// @prisma/adapter-pg, so it works against any server `pg` can reach, PGlite's socket included.
import { readFile } from 'node:fs/promises'
import { join } from 'node:path'
import { PrismaPg } from '@prisma/adapter-pg'
import {
  ColumnTypeEnum,
  bindMigrationAwareSqlAdapterFactory,
  type SqlDriverAdapter,
  type SqlMigrationAwareDriverAdapterFactory
} from '@prisma/driver-adapter-utils'
import * as engineBindings from '@prisma/schema-engine-wasm/schema_engine_bg'
import type { DiffTarget, MigrationList, SchemaEngine, SchemaFilter } from '@prisma/schema-engine-wasm/schema_engine_bg'
import { startEmbeddedPostgres } from './embedded.js'
import { migrationNamesOnDisk, migrationsDir } from './migration-status.js'
import { createPool } from './pool.js'
import { projectPath } from '../project-root.js'

const schemaPath = projectPath('prisma', 'schema.prisma')

// Tables and enums managed outside Prisma (prisma.config.ts `tables.external`): none.
const NO_EXTERNAL_OBJECTS: SchemaFilter = { externalTables: [], externalEnums: [] }

/**
 * Applies the migrations in prisma/migrations that the database has not applied yet, in order,
 * recording them in `_prisma_migrations` exactly as `prisma migrate deploy` does (same table,
 * same checksums), so the Prisma CLI can take over the same database. Returns the names applied.
 * `upTo` stops after that migration: a database as an earlier version left it, to test the next
 * migration's data changes on.
 */
export async function applyMigrations (connectionString: string, options: { upTo?: string } = {}): Promise<string[]> {
  const migrationsList = await readMigrationsList(options.upTo)
  const { appliedMigrationNames } = await withEngine(connectionString, 'target', (engine) =>
    engine.applyMigrations({ migrationsList, filters: NO_EXTERNAL_OBJECTS }))
  return appliedMigrationNames
}

/**
 * The SQL that takes a database built by the committed migrations to what `schemaText`
 * (default: prisma/schema.prisma) describes: the next migration, or '' when they agree.
 * The migrations are replayed into a throwaway in-memory PGlite, so no server is needed.
 */
export async function diffMigrationsAgainstSchema (schemaText?: string): Promise<string> {
  const schema = schemaText ?? await readFile(schemaPath, 'utf8')
  const migrations = await readMigrationsList()
  // The engine cannot read an empty migrations folder without its lock file; it means "empty".
  const from: DiffTarget = migrations.migrationDirectories.length === 0
    ? { tag: 'empty' }
    : { tag: 'migrations', ...migrations }
  const shadow = await startEmbeddedPostgres({ dataDir: 'memory://' })
  try {
    const result = await withEngine(shadow.connectionString, 'shadow', (engine) => engine.diff({
      from,
      to: { tag: 'schemaDatamodel', files: [{ path: schemaPath, content: schema }] },
      script: true,
      // Asks for exit code 2 when there is something to do: an empty diff still has a comment.
      exitCode: true,
      filters: NO_EXTERNAL_OBJECTS
    }))
    return result.exitCode === 0 ? '' : result.stdout ?? ''
  } finally {
    await shadow.stop()
  }
}

/** prisma/migrations as the Prisma CLI hands it to the engine. */
async function readMigrationsList (upTo?: string): Promise<MigrationList> {
  const lockfilePath = 'migration_lock.toml'
  const lockfile = await readFile(join(migrationsDir, lockfilePath), 'utf8').catch(() => null)
  const names = (await migrationNamesOnDisk()).filter((name) => upTo === undefined || name <= upTo)
  const migrationDirectories = await Promise.all(names.map(async (name) => {
    const content = await readFile(join(migrationsDir, name, 'migration.sql'), 'utf8')
      .then((sql) => ({ tag: 'ok' as const, value: sql }))
      // The engine reports an unreadable migration by name when it gets to it.
      .catch((error: Error) => ({ tag: 'error' as const, value: error.message }))
    return { path: name, migrationFile: { path: 'migration.sql', content } }
  }))
  return { baseDir: migrationsDir, lockfile: { path: lockfilePath, content: lockfile }, shadowDbInitScript: '', migrationDirectories }
}

/**
 * Runs `work` with an engine connected to one database. As 'shadow', the database is also the
 * scratch database the engine replays migrations into (and leaves filled): throwaway ones only.
 * As 'target', asking for a scratch database fails instead of touching the real one.
 */
async function withEngine<T> (connectionString: string, role: 'target' | 'shadow', work: (engine: SchemaEngine) => Promise<T>): Promise<T> {
  const bindings = await loadEngineBindings()
  // One connection: the engine works sequentially, and PGlite's socket server caps connections.
  // A connection dropped by the server: the engine's next query reports it.
  const pool = createPool({ connectionString, max: 1 })
  pool.on('connect', (client) => client.connection.prependListener('rowDescription', markCharColumns))
  const pgFactory = new PrismaPg(pool)
  const factory: SqlMigrationAwareDriverAdapterFactory = {
    provider: pgFactory.provider,
    adapterName: pgFactory.adapterName,
    connect: async () => withCharColumnsAsCharacters(await pgFactory.connect()),
    connectToShadowDb: async () => {
      if (role === 'target') throw new Error('The schema engine asked for a shadow database while migrating a real one.')
      return withCharColumnsAsCharacters(await pgFactory.connect())
    }
  }
  const engine = await bindings.SchemaEngine.new(
    // Each command brings the schema it needs; the engine needs none up front.
    { datamodels: undefined },
    writeEngineLog,
    bindMigrationAwareSqlAdapterFactory(factory)
  )
  try {
    return await work(engine)
  } finally {
    engine.free()
    await pool.end()
  }
}

// The engine logs JSON lines about everything it does; SCHEMA_ENGINE_LOG=1 shows them on stderr.
function writeEngineLog (line: string): void {
  if (process.env.SCHEMA_ENGINE_LOG) process.stderr.write(line.endsWith('\n') ? line : `${line}\n`)
}

// Postgres' one-byte "char" type (not char(n)) appears in catalog columns the engine reads when
// it inspects a database, such as pg_constraint.contype. @prisma/adapter-pg 7.10 has no mapping
// for it and fails the whole query ("Unsupported column type char"), and the engine needs those
// values typed as characters: read as text it panics on PostgreSQL 18 (PGlite). No Postgres type
// maps to the adapter's Character column type, so such columns are described to the adapter as
// text with a mark in their name, and the mark becomes the Character type in the adapter's result.
const PG_CHAR_OID = 18
const PG_TEXT_OID = 25
const CHAR_COLUMN_MARK = '\u0000"char"'

interface RowDescription { fields: Array<{ name: string, dataTypeID: number }> }

// Listens on pg's connection, before pg picks value parsers from these type ids.
function markCharColumns (message: RowDescription): void {
  for (const field of message.fields) {
    if (field.dataTypeID === PG_CHAR_OID) {
      field.dataTypeID = PG_TEXT_OID
      field.name += CHAR_COLUMN_MARK
    }
  }
}

// Only plain queries: the engine reads catalogs outside transactions.
function withCharColumnsAsCharacters (adapter: SqlDriverAdapter): SqlDriverAdapter {
  const queryRaw = adapter.queryRaw.bind(adapter)
  adapter.queryRaw = async (query) => {
    const result = await queryRaw(query)
    result.columnNames.forEach((name, index) => {
      if (name.endsWith(CHAR_COLUMN_MARK)) {
        result.columnNames[index] = name.slice(0, -CHAR_COLUMN_MARK.length)
        result.columnTypes[index] = ColumnTypeEnum.Character
      }
    })
    return result
  }
  return adapter
}

// TypeScript types WebAssembly in its DOM library, which this Node project does not include.
declare const WebAssembly: {
  Module: new (bytes: Uint8Array) => object
  Instance: new (module: object, imports: Record<string, Record<string, unknown>>) => { exports: Record<string, unknown> }
}

let engineBindingsLoaded: Promise<typeof engineBindings> | undefined

/**
 * The package's own entry point imports the .wasm file as an ES module, which Node 20 cannot do;
 * its bindings module is loaded instead and wired to the compiled WebAssembly by hand, once.
 */
function loadEngineBindings (): Promise<typeof engineBindings> {
  engineBindingsLoaded ??= (async () => {
    const wasmUrl = new URL('schema_engine_bg.wasm', import.meta.resolve('@prisma/schema-engine-wasm/schema_engine_bg'))
    const module = new WebAssembly.Module(await readFile(wasmUrl))
    const imports: Record<string, unknown> = { ...engineBindings }
    // The engine arms timers it never cancels (applyMigrations leaves a 10 s one behind), which
    // kept every script alive 10 s after its work; unref'd timers still fire but hold nothing up.
    for (const name of Object.keys(imports)) {
      if (name.startsWith('__wbg_setTimeout_')) imports[name] = setUnrefTimeout
    }
    const instance = new WebAssembly.Instance(module, { './schema_engine_bg.js': imports })
    // A Rust panic reports its message here, then the engine aborts with a bare
    // "RuntimeError: unreachable"; without this object the message is lost.
    Object.assign(globalThis, {
      PRISMA_WASM_PANIC_REGISTRY: {
        set_message (message: string) { process.stderr.write(`Prisma schema engine panicked: ${message}\n`) }
      }
    })
    engineBindings.__wbg_set_wasm(instance.exports)
    ;(instance.exports.__wbindgen_start as () => void)()
    return engineBindings
  })()
  return engineBindingsLoaded
}

function setUnrefTimeout (callback: () => void, milliseconds: number): NodeJS.Timeout {
  return setTimeout(callback, milliseconds).unref()
}
