import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { describe, it } from 'node:test'
import { promisify } from 'node:util'
import { loadConfig, parseApiTokens } from '../../src/config.js'
import { createApiToken, listApiTokens, recordApiTokenUse, revokeApiToken } from '../../src/db/api-tokens.js'
import { secretDigest } from '../../src/domain/access.js'
import { InputError } from '../../src/domain/errors.js'
import { authorised, uniqueSlug, useTestApp, visitBody } from '../helper.js'
import { compiledPath } from '../node-test-command.js'
import { projectRoot } from '../../src/project-root.js'

const bearer = (secret: string) => ({ Authorization: `Bearer ${secret}` })
const uniqueTokenName = () => uniqueSlug('token')

describe('API_TOKENS', () => {
  it('gives every scope to name:secret and only the listed ones to name:secret:scope+scope', () => {
    const config = loadConfig({ API_TOKENS: 'desk:desk-secret-1,wire:wire-secret-1:write+read:embargoed,audit:audit-secret:admin' })
    assert.deepEqual(parseApiTokens(config.API_TOKENS), new Map([
      ['desk', { secret: 'desk-secret-1', scopes: ['read:embargoed', 'write', 'admin'] }],
      ['wire', { secret: 'wire-secret-1', scopes: ['write', 'read:embargoed'] }],
      ['audit', { secret: 'audit-secret', scopes: ['admin'] }]
    ]))
    assert.deepEqual(parseApiTokens(''), new Map())
  })

  it('refuses unknown scopes, short secrets and stray separators, naming the variable', () => {
    for (const value of ['desk:desk-secret-1:read', 'desk:short', 'desk:desk-secret-1:', 'desk:desk-secret-1:write+', 'desk']) {
      assert.throws(() => loadConfig({ API_TOKENS: value }), /API_TOKENS/, value)
    }
  })
})

describe('access with bootstrap tokens', () => {
  const server = useTestApp({ extraTokens: new Map([
    ['reader', { secret: 'reader-secret-1', scopes: ['read:embargoed'] }],
    ['writer', { secret: 'writer-secret-1', scopes: ['write'] }]
  ]) })

  it('lets a token with the write scope write', async () => {
    await server.http.post('/v1/visits').set(bearer('writer-secret-1')).send(visitBody()).expect(201)
  })

  it('answers 403 to a token without the scope, naming the scope it needs and the ones it has', async () => {
    const response = await server.http.post('/v1/visits').set(bearer('reader-secret-1')).send(visitBody()).expect(403)
    assert.match(response.headers['content-type'] ?? '', /^application\/problem\+json/)
    assert.equal(response.body.type, '/problems/forbidden')
    assert.equal(response.body.status, 403)
    assert.equal(response.body.requiredScope, 'write')
    assert.equal(response.body.detail, 'This request needs a token with the write scope; the token "reader" has read:embargoed.')
    assert.match(response.headers['www-authenticate'] ?? '', /error="insufficient_scope", scope="write"/)
  })

  it('answers 401 to a write without a token, with a bad one or with a malformed header', async () => {
    const body = visitBody()
    const attempts = [
      server.http.post('/v1/visits').send(body),
      server.http.post('/v1/visits').set(bearer('writer-secret-2')).send(body),
      server.http.post('/v1/visits').set(bearer('writer-secret-1x')).send(body),
      server.http.post('/v1/visits').set('Authorization', 'Basic d3JpdGVyOnNlY3JldA==').send(body)
    ]
    for (const response of await Promise.all(attempts)) {
      assert.equal(response.status, 401)
      assert.equal(response.body.type, '/problems/unauthorized')
      assert.match(response.headers['www-authenticate'] ?? '', /^Bearer /)
    }
    await server.http.get(`/v1/visits/${body.slug}`).expect(404)
  })

  it('keeps reads public, but refuses a read that carries a bad token', async () => {
    await server.http.get('/v1/visits').expect(200)
    await server.http.get('/v1/visits').set(bearer('reader-secret-1')).expect(200)
    const response = await server.http.get('/v1/engagements').set(bearer('not-a-token')).expect(401)
    assert.equal(response.body.instance, '/v1/engagements')
  })

  it('leaves the health probes alone whatever the Authorization header says', async () => {
    await server.http.get('/healthz').set(bearer('not-a-token')).expect(200)
  })
})

describe('a route that needs another scope than write', () => {
  const server = useTestApp({
    extraTokens: new Map([['writer', { secret: 'writer-secret-1', scopes: ['write'] }]]),
    addRoutes: (app) => app.get('/audit', {
      config: { requiredScope: 'admin' },
      onRequest: app.authenticate,
      schema: { response: { 200: { type: 'object', properties: { ok: { type: 'boolean' } } } } }
    }, async () => ({ ok: true }))
  })

  it('refuses a token without that scope, on GET and on HEAD, and no token at all', async () => {
    const response = await server.http.get('/audit').set(bearer('writer-secret-1')).expect(403)
    assert.equal(response.body.requiredScope, 'admin')
    await server.http.head('/audit').set(bearer('writer-secret-1')).expect(403)
    await server.http.get('/audit').expect(401)
    await server.http.get('/audit').set(authorised).expect(200)
  })

  it('documents the bearer requirement and the 401 and 403 it answers', () => {
    const operation = (server.app.swagger() as { paths: Record<string, { get: { security?: unknown, responses: Record<string, unknown> } }> }).paths['/audit']?.get
    assert.deepEqual(operation?.security, [{ bearerAuth: [] }])
    assert.ok(operation !== undefined && '401' in operation.responses && '403' in operation.responses)
  })
})

describe('access with tokens stored in the database', () => {
  const server = useTestApp()

  it('stores only the SHA-256 of the secret and lets the token write', async () => {
    const { token, secret } = await createApiToken(server.app.prisma, { name: uniqueTokenName(), scopes: ['write'] })
    const row = await server.app.prisma.apiToken.findUniqueOrThrow({ where: { id: token.id } })
    assert.equal(row.secretDigest, secretDigest(secret))
    assert.ok(!Object.values(row).some((value) => typeof value === 'string' && value.includes(secret)))
    await server.http.post('/v1/visits').set(bearer(secret)).send(visitBody()).expect(201)
  })

  it('answers 403 naming the write scope to a stored token that only reads embargoed items', async () => {
    const { token, secret } = await createApiToken(server.app.prisma, { name: uniqueTokenName(), scopes: ['read:embargoed'] })
    const response = await server.http.post('/v1/visits').set(bearer(secret)).send(visitBody()).expect(403)
    assert.equal(response.body.requiredScope, 'write')
    assert.equal(response.body.detail, `This request needs a token with the write scope; the token "${token.name}" has read:embargoed.`)
  })

  it('answers 401 to a revoked token, on writes and on reads', async () => {
    const { token, secret } = await createApiToken(server.app.prisma, { name: uniqueTokenName(), scopes: ['write', 'read:embargoed'] })
    await server.http.get('/v1/visits').set(bearer(secret)).expect(200)
    const revoked = await revokeApiToken(server.app.prisma, token.name)
    assert.ok(revoked.revokedAt instanceof Date)
    await server.http.post('/v1/visits').set(bearer(secret)).send(visitBody()).expect(401)
    const response = await server.http.get('/v1/visits').set(bearer(secret)).expect(401)
    assert.match(response.body.detail, /not valid or has been revoked/)
    const again = await revokeApiToken(server.app.prisma, token.name, new Date(Date.now() + 60_000))
    assert.deepEqual(again.revokedAt, revoked.revokedAt, 'a second revocation keeps the first time')
  })

  it('records when a token was last used, writing at most once a minute', async () => {
    const { token, secret } = await createApiToken(server.app.prisma, { name: uniqueTokenName(), scopes: ['read:embargoed'] })
    assert.equal(token.lastUsedAt, null)
    const lastUsed = async () => (await server.app.prisma.apiToken.findUniqueOrThrow({ where: { id: token.id } })).lastUsedAt
    const before = Date.now()
    await server.http.get('/v1/visits').set(bearer(secret)).expect(200)
    const first = await lastUsed()
    assert.ok(first !== null && first.getTime() >= before - 1000 && first.getTime() <= Date.now() + 1000, String(first))
    await server.http.get('/v1/visits').set(bearer(secret)).expect(200)
    assert.deepEqual(await lastUsed(), first, 'a second use within the minute does not write')

    const used = { ...token, lastUsedAt: first }
    await recordApiTokenUse(server.app.prisma, used, new Date(first.getTime() + 59_000))
    assert.deepEqual(await lastUsed(), first)
    const later = new Date(first.getTime() + 61_000)
    await recordApiTokenUse(server.app.prisma, used, later)
    assert.deepEqual(await lastUsed(), later)
  })

  it('refuses a second token with a taken name', async () => {
    const name = uniqueTokenName()
    await createApiToken(server.app.prisma, { name, scopes: ['write'] })
    await assert.rejects(createApiToken(server.app.prisma, { name, scopes: ['admin'] }),
      (error: Error) => error instanceof InputError && error.message.includes(`"${name}" already exists`))
  })

  it('lists tokens with their scopes and times, never a secret or a digest', async () => {
    const { token } = await createApiToken(server.app.prisma, { name: uniqueTokenName(), scopes: ['admin', 'write'] })
    const listed = (await listApiTokens(server.app.prisma)).find((item) => item.id === token.id)
    assert.deepEqual(listed, { ...token, scopes: ['write', 'admin'] })
    assert.deepEqual(Object.keys(listed ?? {}).sort(), ['createdAt', 'id', 'lastUsedAt', 'name', 'revokedAt', 'scopes'])
  })
})

// scripts/token.ts as test/run.ts compiled it: `npm run token` without tsx's start-up.
describe('npm run token', () => {
  const server = useTestApp()
  const token = (args: string[], env: NodeJS.ProcessEnv = process.env): Promise<{ code?: number, stdout: string, stderr: string }> =>
    promisify(execFile)(process.execPath, [compiledPath('scripts/token.ts'), ...args], { cwd: projectRoot, env })
      .catch((error: { code: number, stdout: string, stderr: string }) => error)

  it('creates a token and prints its secret once; list never shows it; revoke ends it', async () => {
    const name = uniqueTokenName()
    const created = await token(['create', '--name', name, '--scope', 'write', '--scope', 'read:embargoed'])
    const secrets = created.stdout.match(/itn_[A-Za-z0-9_-]{43}/g) ?? []
    assert.equal(secrets.length, 1, created.stdout)
    const secret = secrets[0] as string
    assert.match(created.stdout, new RegExp(`Created token "${name}" with the scopes read:embargoed, write`))
    await server.http.post('/v1/visits').set(bearer(secret)).send(visitBody()).expect(201)

    const listed = await token(['list'])
    const line = listed.stdout.split('\n').find((row) => row.startsWith(`${name} `))
    assert.ok(line !== undefined, listed.stdout)
    assert.match(line, /read:embargoed,write\s+\d{4}-\d\d-\d\dT\S+Z\s+\d{4}-\d\d-\d\dT\S+Z\s+-$/)
    assert.ok(!listed.stdout.includes('itn_'), 'no secret in the list')
    assert.ok(!listed.stdout.includes(secretDigest(secret)), 'no digest in the list')

    const revoked = await token(['revoke', '--name', name])
    assert.match(revoked.stdout, new RegExp(`Token "${name}" is revoked since`))
    await server.http.get('/v1/visits').set(bearer(secret)).expect(401)
    const relisted = await token(['list'])
    assert.match(relisted.stdout.split('\n').find((row) => row.startsWith(`${name} `)) ?? '', /Z\s+\d{4}-\d\d-\d\dT\S+Z$/)
  })

  it('explains its mistakes with exit code 1', async () => {
    const unknownScope = await token(['create', '--name', uniqueTokenName(), '--scope', 'read'])
    assert.equal(unknownScope.code, 1)
    assert.match(unknownScope.stderr, /"read" is not a scope; use one or more of: read:embargoed, write, admin/)
    const unknownName = await token(['revoke', '--name', uniqueTokenName()])
    assert.equal(unknownName.code, 1)
    assert.match(unknownName.stderr, /No token is named/)
    const badDatabaseUrl = await token(['list'], { ...process.env, DATABASE_URL: 'mysql://somewhere' })
    assert.equal(badDatabaseUrl.code, 1)
    assert.match(badDatabaseUrl.stderr, /^Invalid configuration: DATABASE_URL must be a URL starting with postgres:\/\/ or postgresql:\/\//)
  })

  it('refuses the name of a bootstrap token in API_TOKENS', async () => {
    const name = uniqueTokenName()
    const refused = await token(['create', '--name', name, '--scope', 'write'], { ...process.env, API_TOKENS: `${name}:bootstrap-secret` })
    assert.equal(refused.code, 1)
    assert.equal(refused.stderr, `"${name}" is the name of a bootstrap token in API_TOKENS; choose another name.\n`)
    assert.ok(!(await token(['list'])).stdout.includes(name), 'nothing was created')
  })
})
