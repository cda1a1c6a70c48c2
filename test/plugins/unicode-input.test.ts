import assert from 'node:assert/strict'
import { before, describe, it } from 'node:test'
import { authorised, createVisit, ifMatch, useTestApp } from '../helper.js'

// Text that is not Unicode (bytes that are not UTF-8, unpaired surrogates) is refused with a
// 400 naming where it is, in bodies and query strings; it is never stored as U+FFFD.

interface Problem { status: number, type: string, detail: string, errors?: Array<{ path: string, message: string }> }

function assertRefused (response: { status: number, body: Problem, text: string, headers: Record<string, string> }, path: string, label: string) {
  assert.equal(response.status, 400, `${label}: ${response.text.slice(0, 300)}`)
  assert.match(response.headers['content-type'] ?? '', /^application\/problem\+json/, label)
  assert.deepEqual(response.body.errors?.map((error) => error.path), [path], label)
  assert.match(response.body.detail, /UTF-8/, label)
}

const bytes = (...parts: Array<string | number[]>) => Buffer.concat(parts.map((part) => typeof part === 'string' ? Buffer.from(part, 'utf8') : Buffer.from(part)))

describe('text that is not Unicode', () => {
  const server = useTestApp()
  let visit: { id: string, version: number }
  before(async () => {
    visit = await createVisit(server.http)
  })

  const postEngagement = (body: string) => server.http.post(`/v1/visits/${visit.id}/engagements`).set(authorised)
    .set('content-type', 'application/json').send(body)
  // supertest would send a Buffer as the JSON of the Buffer object: raw bytes go through inject.
  const postBytes = async (payload: Buffer) => {
    const response = await server.app.inject({ method: 'POST', url: `/v1/visits/${visit.id}/engagements`, payload, headers: { ...authorised, 'content-type': 'application/json' } })
    return { status: response.statusCode, body: response.json<Problem>(), text: response.body, headers: response.headers as Record<string, string> }
  }
  const engagement = (title: string) => `{"title":"${title}","kind":"meeting","time":{"precision":"date","timeZone":"UTC","localDate":"2026-01-05"}}`

  it('refuses bytes that are not UTF-8 anywhere in a string, naming the field, and stores nothing', async () => {
    const invalid: Array<[string, number[]]> = [
      ['0xFF', [0xff]], ['an overlong NUL', [0xc0, 0x80]], ['a surrogate encoded in UTF-8', [0xed, 0xa0, 0x80]],
      ['a truncated sequence', [0xe2, 0x82]], ['a stray continuation byte', [0x80]], ['a code point past U+10FFFF', [0xf4, 0x90, 0x80, 0x80]]
    ]
    for (const [label, sequence] of invalid) {
      assertRefused(await postBytes(bytes('{"title":"Summit ', sequence, ' talks","kind":"meeting","time":{"precision":"date","timeZone":"UTC","localDate":"2026-01-05"}}')), '/body/title', label)
      const nested = bytes('{"title":"Summit","kind":"meeting","time":{"precision":"date","timeZone":"UTC","localDate":"2026-01-05"},',
        '"participants":[{"name":"Xi Jinping","role":"counterpart"},{"name":"Li ', sequence, '","role":"attendee"}]}')
      assertRefused(await postBytes(nested), '/body/participants/1/name', `${label}, nested`)
    }
    // After a U+FFFD sent as such: the invalid byte is found all the same.
    assertRefused(await postBytes(bytes('{"title":"\uFFFD","description":"a', [0xff], '","kind":"meeting","time":{"precision":"date","timeZone":"UTC","localDate":"2026-01-05"}}')), '/body/description', 'after a real U+FFFD')
    const stored = await server.http.get('/v1/engagements').query({ visit: visit.id }).expect(200)
    assert.deepEqual(stored.body.data, [])
  })

  it('refuses unpaired surrogates written as \\u escapes, in values and in keys', async () => {
    for (const [escaped, label] of <Array<[string, string]>>[['\\ud800', 'a high surrogate'], ['\\uDC00', 'a low surrogate'], ['\\udc00\\ud800', 'a pair in the wrong order'], ['x\\ud83d', 'half an emoji']]) {
      assertRefused(await postEngagement(engagement(escaped)), '/body/title', label)
    }
    const key = '{"title":"Summit","titleTranslations":{"ko\\ud800":"정상회담"},"kind":"meeting","time":{"precision":"date","timeZone":"UTC","localDate":"2026-01-05"}}'
    assertRefused(await postEngagement(key), '/body/titleTranslations/ko\uFFFD', 'in a key')
    const slashKey = '{"title":"Summit","titleTranslations":{"a/b~\\ud800":"x"},"kind":"meeting","time":{"precision":"date","timeZone":"UTC","localDate":"2026-01-05"}}'
    assertRefused(await postEngagement(slashKey), '/body/titleTranslations/a~1b~0\uFFFD', 'a key escaped as RFC 6901 says')
    const patched = await server.http.patch(`/v1/visits/${visit.id}`).set(authorised).set(ifMatch(visit.version))
      .set('content-type', 'application/json').send('{"title":"Visit \\udfff"}')
    assertRefused(patched, '/body/title', 'PATCH')
    assert.equal((await server.http.get(`/v1/visits/${visit.id}`).expect(200)).body.version, visit.version)
  })

  it('finds a surrogate at the bottom of a body nested 50,000 levels deep without a 500', async () => {
    const depth = 50_000
    const response = await postEngagement(`{"title":${'['.repeat(depth)}"\\ud800"${']'.repeat(depth)}}`)
    assert.equal(response.status, 400, response.text.slice(0, 200))
    assert.equal(response.body.errors[0].path, `/body/title${'/0'.repeat(depth)}`)
    const wellFormed = await postEngagement(`{"title":${'['.repeat(depth)}"x"${']'.repeat(depth)}}`)
    assert.equal(wellFormed.status, 400, 'a title that is an array is refused by the schema')
  })

  it('keeps what is Unicode: surrogate pairs, escaped or not, and U+FFFD itself', async () => {
    for (const [title, expected] of <Array<[string, string]>>[['\\ud83d\\ude00 summit', '😀 summit'], ['😀 summit', '😀 summit'], ['\\uFFFD \uFFFD', '\uFFFD \uFFFD'], ['정상회담 \\u00e9', '정상회담 é']]) {
      const response = await postEngagement(engagement(title)).expect(201)
      assert.equal(response.body.title, expected)
    }
  })

  it('keeps Fastify\'s protections: prototype keys, empty bodies, size limit and media type', async () => {
    for (const body of ['{"__proto__":{"polluted":true},"title":"x"}', '{"constructor":{"prototype":{"polluted":true}}}', '', '{"title":']) {
      const response = await postEngagement(body)
      assert.equal(response.status, 400, body)
      assert.match(response.headers['content-type'] ?? '', /^application\/problem\+json/)
    }
    assert.equal(({} as Record<string, unknown>).polluted, undefined)
    assert.equal((await postEngagement(JSON.stringify({ title: 'x'.repeat(300_000) }))).status, 413)
    assert.equal((await server.http.post(`/v1/visits/${visit.id}/engagements`).set(authorised).set('content-type', 'text/plain').send('x')).status, 415)
  })

  it('refuses query strings whose percent-encoding is not UTF-8, naming the parameter, on anonymous reads', async () => {
    for (const [query, name] of <Array<[string, string]>>[['city=%FF', 'city'], ['q=%ED%A0%80', 'q'], ['participant=a%C0%80', 'participant'], ['city=100%', 'city'],
      ['q=x&city=%E2%82', 'city'], ['%FF=1', '%FF']]) {
      assertRefused(await server.http.get(`/v1/engagements?${query}`), `/query/${name}`, query)
    }
    assertRefused(await server.http.get('/v1/participants?q=%FF'), '/query/q', 'participants')
    assertRefused(await server.http.get('/v1/visits?status=%ED%B0%80'), '/query/status', 'visits')
    // UTF-8 percent-encoded, and + for a space, are read as they should be.
    await server.http.get('/v1/engagements?city=S%C3%A3o+Paulo&q=caf%C3%A9').expect(200)
  })

  it('refuses path segments whose percent-encoding is not UTF-8 with a 400 problem saying so', async () => {
    for (const segment of ['%FF', '%ED%A0%80', 'a%C0%80']) {
      const response = await server.http.get(`/v1/visits/${segment}`)
      assert.equal(response.status, 400, segment)
      assert.match(response.headers['content-type'] ?? '', /^application\/problem\+json/)
      assert.match(response.body.detail, /not UTF-8/)
    }
  })
})
