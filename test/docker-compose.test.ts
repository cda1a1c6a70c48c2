// No Docker engine runs on the project's machines, so the container setup is checked by
// construction: docker-compose.yml must be valid and wire the API's replicas to a healthy Postgres
// and Redis behind HAProxy, and the Dockerfile must start what the build produces.
// `docker-compose config` validates and normalises the file without an engine, `haproxy -c` the
// balancer's configuration (Debian's docker-compose and haproxy packages; .ci/run installs them).
import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { accessSync, constants, readFileSync } from 'node:fs'
import { delimiter, join, relative, resolve } from 'node:path'
import { before, describe, it, type TestContext } from 'node:test'
import ts from 'typescript'
import { projectRoot } from '../src/project-root.js'

const composeFile = join(projectRoot, 'docker-compose.yml')
const haproxyConfig = join(projectRoot, 'deploy', 'haproxy.cfg')
const dockerfile = readFileSync(join(projectRoot, 'Dockerfile'), 'utf8')

interface Run { status: number | null, stdout: string, stderr: string }

function run (command: string, args: string[], input?: string): Promise<Run> {
  return new Promise((done) => {
    const child = execFile(command, args, { cwd: projectRoot, encoding: 'utf8', timeout: 120_000, maxBuffer: 16 * 1024 * 1024 },
      (error, stdout, stderr) => done({
        status: error === null ? 0 : typeof error.code === 'number' ? error.code : null,
        stdout,
        stderr: stderr || (error?.message ?? '')
      }))
    if (input !== undefined) child.stdin?.end(input)
  })
}

/** docker-compose on this compose file. Each call starts Python (1.x): seconds, so few calls. */
function compose (...args: string[]): Promise<Run> {
  return run('docker-compose', ['--file', composeFile, ...args])
}

function executable (path: string): boolean {
  try {
    accessSync(path, constants.X_OK)
    return true
  } catch {
    return false
  }
}

const onPath = (command: string) => (process.env.PATH ?? '').split(delimiter).some((dir) => executable(join(dir, command)))
const composeInstalled = onPath('docker-compose')
// Debian puts it in /usr/sbin, which a user's PATH may lack.
const haproxyCommand = onPath('haproxy') ? 'haproxy' : executable('/usr/sbin/haproxy') ? '/usr/sbin/haproxy' : undefined

/** Skips (or, in CI, fails) a test that needs a Debian package's command when it is missing. */
function needsCommand (t: TestContext, installed: boolean, pkg: string): boolean {
  if (installed) return true
  if (process.env.CI) assert.fail(`${pkg} is not installed: .ci/run must install it (apt-get install -y ${pkg})`)
  t.skip(`${pkg} is not installed: apt-get install ${pkg}`)
  return false
}

const needsCompose = (t: TestContext) => needsCommand(t, composeInstalled, 'docker-compose')

interface Service {
  image?: string
  build?: unknown
  depends_on?: Record<string, { condition?: string }> | string[]
  environment?: Record<string, string | null> | string[]
  healthcheck?: { test?: string[] | string, interval?: unknown, timeout?: unknown, retries?: unknown, disable?: boolean }
  volumes?: Array<string | { type?: string, source?: string, target?: string }>
  ports?: Array<string | number | { target?: number | string, published?: number | string }>
}

interface ComposeConfig {
  services: Record<string, Service>
  volumes?: Record<string, unknown>
}

/**
 * The configuration as docker-compose resolves it. Compose v2 prints JSON itself; 1.x prints
 * only YAML, which is read with the PyYAML that docker-compose 1.x itself runs on.
 */
let resolved: Promise<ComposeConfig> | undefined
function resolvedConfig (): Promise<ComposeConfig> {
  resolved ??= readResolvedConfig()
  return resolved
}

/**
 * The configuration as docker-compose resolves it, as JSON. docker-compose 1.x prints only YAML
 * (and ignores --format), read here with the PyYAML that 1.x itself runs on; Compose v2 prints
 * JSON when asked.
 */
async function readResolvedConfig (): Promise<ComposeConfig> {
  const asYaml = await compose('config')
  assert.equal(asYaml.status, 0, `docker-compose config failed:\n${asYaml.stderr}`)
  const python = await run('python3', ['-c', 'import json, sys, yaml; json.dump(yaml.safe_load(sys.stdin), sys.stdout)'], asYaml.stdout)
  if (python.status === 0) return JSON.parse(python.stdout) as ComposeConfig
  const asJson = await compose('config', '--format', 'json')
  assert.ok(asJson.status === 0 && asJson.stdout.trimStart().startsWith('{'),
    `cannot read docker-compose config as data: python3 with PyYAML failed (${python.stderr.trim()}) and docker-compose has no --format json`)
  return JSON.parse(asJson.stdout) as ComposeConfig
}

function environmentOf (service: Service): Record<string, string> {
  const environment = service.environment ?? {}
  if (Array.isArray(environment)) {
    return Object.fromEntries(environment.map((entry) => {
      const separator = entry.indexOf('=')
      return separator === -1 ? [entry, ''] : [entry.slice(0, separator), entry.slice(separator + 1)]
    }))
  }
  return Object.fromEntries(Object.entries(environment).map(([name, value]) => [name, value ?? '']))
}

/** A service's volumes as { source, target }, from the short (`a:b:rw`) or the long syntax. */
function volumesOf (service: Service): Array<{ source: string | undefined, target: string | undefined }> {
  return (service.volumes ?? []).map((volume) => {
    if (typeof volume === 'string') {
      const [source, target] = volume.split(':')
      return { source, target }
    }
    return { source: volume.source, target: volume.target }
  })
}

function containerPortsOf (service: Service): string[] {
  return (service.ports ?? []).map((port) => {
    if (typeof port === 'object') return String(port.target)
    // "published:target[/protocol]" or "target"
    return String(port).split('/')[0]!.split(':').at(-1)!
  })
}

/** Instructions of one Dockerfile stage (from its FROM to the next), continuation lines joined. */
function dockerfileStages (text: string): Array<{ name: string | undefined, instructions: Array<{ keyword: string, args: string }> }> {
  const lines = text.replace(/\\\r?\n/g, ' ').split(/\r?\n/).map((line) => line.trim())
  const stages: Array<{ name: string | undefined, instructions: Array<{ keyword: string, args: string }> }> = []
  for (const line of lines) {
    if (line === '' || line.startsWith('#')) continue
    const [, keyword = '', args = ''] = /^(\S+)\s*(.*)$/.exec(line) ?? []
    if (keyword.toUpperCase() === 'FROM') {
      stages.push({ name: /\bAS\s+(\S+)/i.exec(args)?.[1], instructions: [] })
    }
    stages.at(-1)?.instructions.push({ keyword: keyword.toUpperCase(), args })
  }
  return stages
}

describe('docker-compose.yml', () => {
  let validation: Promise<Run> | undefined
  // Both docker-compose runs start at once: each takes seconds.
  before(() => {
    if (!composeInstalled) return
    validation = compose('config', '-q')
    resolvedConfig().catch(() => {}) // its failure is reported by the tests that await it
  })

  it('is valid for docker-compose (config -q exits 0)', async (t) => {
    if (!needsCompose(t)) return
    const result = await validation!
    assert.equal(result.status, 0, `docker-compose config -q failed:\n${result.stderr}`)
  })

  it('starts the api only once the db is healthy, and the db has a healthcheck and a named volume', async (t) => {
    if (!needsCompose(t)) return
    const { services, volumes = {} } = await resolvedConfig()
    const { api, db } = services
    assert.ok(api, 'there is an api service')
    assert.ok(db, 'there is a db service')

    assert.ok(api.build !== undefined, 'the api is built from the repository\'s Dockerfile')
    assert.ok(api.depends_on !== undefined && !Array.isArray(api.depends_on), 'api.depends_on uses the long syntax with a condition')
    assert.equal(api.depends_on.db?.condition, 'service_healthy')

    assert.match(db.image ?? '', /^postgres:15(\b|$)/)
    const test = db.healthcheck?.test
    assert.ok(test !== undefined && db.healthcheck?.disable !== true, 'the db has a healthcheck')
    assert.match(Array.isArray(test) ? test.join(' ') : test, /pg_isready/)
    for (const setting of ['interval', 'timeout', 'retries'] as const) {
      assert.ok(db.healthcheck?.[setting] !== undefined, `the db healthcheck sets ${setting}`)
    }

    const dataVolume = volumesOf(db).find((volume) => volume.target === '/var/lib/postgresql/data')
    assert.ok(dataVolume?.source, 'the db keeps /var/lib/postgresql/data in a volume')
    assert.ok(dataVolume.source in volumes, `${dataVolume.source} is a named volume declared under volumes:`)
  })

  it('points the api\'s DATABASE_URL at the db service with the db\'s credentials', async (t) => {
    if (!needsCompose(t)) return
    const { services } = await resolvedConfig()
    const apiEnv = environmentOf(services.api!)
    const dbEnv = environmentOf(services.db!)
    assert.ok(apiEnv.DATABASE_URL, 'the api sets DATABASE_URL')
    const url = new URL(apiEnv.DATABASE_URL)
    assert.match(url.protocol, /^postgres(ql)?:$/)
    assert.equal(url.hostname, 'db')
    assert.ok(url.port === '' || url.port === '5432', 'on the db service\'s Postgres port')
    assert.equal(url.pathname, `/${dbEnv.POSTGRES_DB}`)
    assert.equal(dbEnv.POSTGRES_DB, 'itinerary')
    assert.equal(decodeURIComponent(url.username), dbEnv.POSTGRES_USER)
    assert.equal(decodeURIComponent(url.password), dbEnv.POSTGRES_PASSWORD)

    // The server refuses API_TOKENS it cannot parse (src/config.ts): name:secret, secrets of 8+.
    assert.match(apiEnv.API_TOKENS ?? '', /^[^:,\s]+:[^,\s]{8,}(,[^:,\s]+:[^,\s]{8,})*$/)
  })

  it('runs any number of api replicas (--scale api=N) on one Redis, behind HAProxy on port 3000', async (t) => {
    if (!needsCompose(t)) return
    const { services } = await resolvedConfig()
    const { api, redis, lb } = services
    assert.ok(redis, 'there is a redis service')
    assert.ok(lb, 'there is an lb service')

    assert.match(redis.image ?? '', /^redis:7(\b|$)/)
    const test = redis.healthcheck?.test
    assert.ok(test !== undefined && redis.healthcheck?.disable !== true, 'redis has a healthcheck')
    assert.match(Array.isArray(test) ? test.join(' ') : test, /redis-cli.*ping/)
    assert.ok(api!.depends_on !== undefined && !Array.isArray(api!.depends_on))
    assert.equal(api!.depends_on.redis?.condition, 'service_healthy')
    const redisUrl = new URL(environmentOf(api!).REDIS_URL ?? '')
    assert.equal(redisUrl.protocol, 'redis:')
    assert.equal(redisUrl.hostname, 'redis')
    assert.ok(redisUrl.port === '' || redisUrl.port === '6379')

    // A published host port can be held by one container only: replicas publish none.
    assert.deepEqual(containerPortsOf(api!), [], 'the api publishes no port; the balancer does')
    assert.match(lb.image ?? '', /^haproxy:2\.8(\b|$)/)
    assert.deepEqual(containerPortsOf(lb), ['3000'])
    const mounted = volumesOf(lb).find((volume) => volume.target === '/usr/local/etc/haproxy/haproxy.cfg')
    assert.ok(mounted?.source !== undefined, 'the balancer gets deploy/haproxy.cfg where the image reads its configuration')
    assert.equal(resolve(projectRoot, mounted.source), haproxyConfig)
  })
})

describe('deploy/haproxy.cfg', () => {
  const text = readFileSync(haproxyConfig, 'utf8')

  it('is valid for HAProxy (haproxy -c)', async (t) => {
    if (!needsCommand(t, haproxyCommand !== undefined, 'haproxy')) return
    const result = await run(haproxyCommand!, ['-c', '-f', haproxyConfig])
    assert.equal(result.status, 0, `haproxy -c failed:\n${result.stderr}`)
  })

  it('sends requests to every api replica on port 3000 whose /readyz answers 200, found through Docker\'s DNS', () => {
    assert.match(text, /^\s*bind\s+:3000\s*$/m)
    assert.match(text, /^\s*server-template\s+\S+\s+\d+\s+api:3000\s.*\bcheck\b.*\bresolvers docker\b/m)
    assert.match(text, /^\s*http-check send meth GET uri \/readyz\s*$/m)
    assert.match(text, /^\s*http-check expect status 200\s*$/m)
    assert.match(text, /^\s*nameserver\s+\S+\s+127\.0\.0\.11:53\s*$/m)
  })
})

describe('Dockerfile', () => {
  const stages = dockerfileStages(dockerfile)
  const runtime = stages.at(-1)!
  const instruction = (keyword: string) => runtime.instructions.filter((entry) => entry.keyword === keyword)

  it('builds on node:20-bookworm-slim in every stage', () => {
    assert.ok(stages.length >= 2, 'multi-stage')
    for (const stage of stages) assert.match(stage.instructions[0]!.args, /^node:20-bookworm-slim\b/)
  })

  it('starts dist/server.js, which tsconfig.build.json compiles from src/server.ts', () => {
    const cmds = instruction('CMD')
    assert.ok(cmds.length > 0, 'the final stage has a CMD')
    assert.deepEqual(JSON.parse(cmds.at(-1)!.args), ['node', 'dist/server.js'])

    const configPath = join(projectRoot, 'tsconfig.build.json')
    const read = ts.readConfigFile(configPath, (path) => ts.sys.readFile(path))
    assert.equal(read.error, undefined)
    const parsed = ts.parseJsonConfigFileContent(read.config, ts.sys, projectRoot, undefined, configPath)
    const entry = resolve(projectRoot, 'src/server.ts')
    assert.ok(parsed.fileNames.map((name) => resolve(name)).includes(entry), 'tsconfig.build.json compiles src/server.ts')
    const { outDir, rootDir } = parsed.options
    assert.ok(outDir !== undefined && rootDir !== undefined, 'tsconfig.build.json sets outDir and rootDir')
    const output = join(outDir, relative(rootDir, entry)).replace(/\.ts$/, '.js')
    assert.equal(relative(projectRoot, output), join('dist', 'server.js'))

    const pkg = JSON.parse(readFileSync(join(projectRoot, 'package.json'), 'utf8')) as { scripts: Record<string, string> }
    assert.equal(pkg.scripts.build, 'tsc -p tsconfig.build.json', 'npm run build (which the image runs) uses tsconfig.build.json')
    assert.ok(stages.some((stage) => stage.instructions.some((entry) => entry.keyword === 'RUN' && /\bnpm run build\b/.test(entry.args))))
  })

  it('ships what the server reads at run time and runs as the node user', () => {
    const copies = instruction('COPY').map((entry) => entry.args)
    for (const path of ['node_modules', 'dist', 'prisma', 'package.json']) {
      assert.ok(copies.some((args) => new RegExp(`^--from=\\S+\\s+/app/${path}\\s`).test(args)), `the runtime stage copies ${path}`)
    }
    assert.equal(instruction('USER').at(-1)?.args, 'node')
    assert.match(instruction('ENV').map((entry) => entry.args).join(' '), /\bHOST=0\.0\.0\.0\b/)
    assert.deepEqual(instruction('EXPOSE').map((entry) => entry.args), ['3000'])
    assert.match(instruction('HEALTHCHECK').at(-1)?.args ?? '', /\/healthz/)
  })
})
