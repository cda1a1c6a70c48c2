import { isUtf8 } from 'node:buffer'
import fp from 'fastify-plugin'
import type { FastifyRequest } from 'fastify'
import { InputError } from '../domain/errors.js'

/**
 * Text the API receives must be Unicode, or it would be stored as something else than was sent:
 * Node decodes bytes that are not UTF-8 as U+FFFD, and Postgres (UTF-8) turns a lone surrogate
 * (JSON allows one as "\ud800") into U+FFFD as well. So a JSON body whose bytes are not UTF-8, or
 * any of whose strings (values and keys alike) holds a lone surrogate, is a 400 naming the string,
 * and so is a query string whose %XX sequences do not spell UTF-8 ("%FF", "%ED%A0%80") or are
 * not %XX at all ("100%"): fast-querystring would keep them as literal text. Path parameters are
 * decoded strictly by the router already (400 FST_ERR_BAD_URL).
 */
export default fp(async (app) => {
  // Fastify's own JSON parser, with its protections (__proto__ and constructor.prototype keys
  // refused, an empty body refused), run on text this parser has checked.
  const { onProtoPoisoning = 'error', onConstructorPoisoning = 'error' } = app.initialConfig
  const parseJson = app.getDefaultJsonParser(onProtoPoisoning, onConstructorPoisoning)
  app.removeContentTypeParser('application/json')
  app.addContentTypeParser('application/json', { parseAs: 'buffer' }, (request, body, done) => {
    const bytes = body as Buffer
    const utf8 = isUtf8(bytes)
    // A lone surrogate can only come from a \u escape (or, here, a byte that is not UTF-8).
    const text = utf8 ? bytes.toString('utf8') : markingFirstInvalidSequence(bytes)
    parseJson(request, text, (error, value) => {
      if (error !== null) return done(error, undefined)
      const unpaired = utf8 && !/\\u[dD][89a-fA-F]/.test(text) ? null : firstIllFormedString(value)
      if (unpaired === null) return done(null, value)
      done(notUnicode(`/body${unpaired}`, 'holds bytes that are not UTF-8 or an unpaired surrogate (such as \\ud800)'), undefined)
    })
  })

  app.addHook('preValidation', async (request) => {
    if (request.routeOptions.schema?.querystring === undefined) return
    const name = firstUndecodableQueryName(request)
    if (name !== null) throw notUnicode(`/query/${name}`, 'is not percent-encoded UTF-8 (write a literal % as %25)')
  })
}, { name: 'unicode-input' })

function notUnicode (path: string, problem: string) {
  return new InputError('invalid', `${path} ${problem}; send text as UTF-8.`, [{ path, message: problem }])
}

// Stands for the first byte that is not UTF-8 in the decoded text: a lone surrogate, which no
// UTF-8 decoding produces, so that the string holding it is found like any other.
const MARK = '\uDFFF'

/**
 * The body as text with its first invalid byte replaced by MARK (the rest decoded as Node does).
 * Decoding replaces each invalid sequence with U+FFFD and re-encoding writes that as EF BF BD,
 * so the first byte where the re-encoded text differs from the body is where the first invalid
 * sequence starts (a U+FFFD that was sent as such re-encodes to itself).
 */
function markingFirstInvalidSequence (bytes: Buffer): string {
  const reencoded = Buffer.from(bytes.toString('utf8'), 'utf8')
  let offset = 0
  while (offset < bytes.length && bytes[offset] === reencoded[offset]) offset += 1
  return `${bytes.subarray(0, offset).toString('utf8')}${MARK}${bytes.subarray(offset + 1).toString('utf8')}`
}

/** "~" and "/" escaped as RFC 6901 says, and any unpaired surrogate shown as U+FFFD so the pointer can be sent back. */
function pointerToken (key: string): string {
  return key.toWellFormed().replaceAll('~', '~0').replaceAll('/', '~1')
}

/**
 * The JSON Pointer of the first string (value or key, in document order) of a parsed body that
 * holds an unpaired surrogate, or null. Walked with a stack of its own: a body nested a hundred
 * thousand levels deep must not overflow the call stack.
 */
function firstIllFormedString (root: unknown): string | null {
  const pending: Array<{ value: unknown, pointer: string }> = [{ value: root, pointer: '' }]
  for (let next = pending.pop(); next !== undefined; next = pending.pop()) {
    const { value, pointer } = next
    if (typeof value === 'string') {
      if (!value.isWellFormed()) return pointer
    } else if (typeof value === 'object' && value !== null) {
      const entries = Array.isArray(value) ? value.map((item, index) => [String(index), item] as const) : Object.entries(value)
      const badKey = entries.find(([key]) => !key.isWellFormed())
      if (badKey !== undefined) return `${pointer}/${pointerToken(badKey[0])}`
      // Last first, so that the stack gives them back in document order.
      for (const [key, item] of entries.reverse()) pending.push({ value: item, pointer: `${pointer}/${pointerToken(key)}` })
    }
  }
  return null
}

/** The name of the first query parameter (or the name itself) whose percent-encoding is not UTF-8, or null. */
function firstUndecodableQueryName (request: FastifyRequest): string | null {
  const start = request.url.indexOf('?')
  if (start === -1) return null
  for (const pair of request.url.slice(start + 1).split('&')) {
    const separator = pair.indexOf('=')
    const [name, value] = separator === -1 ? [pair, ''] : [pair.slice(0, separator), pair.slice(separator + 1)]
    const decodedName = decodes(name)
    if (decodedName === null || decodes(value) === null) return pointerToken(decodedName ?? name)
  }
  return null
}

function decodes (text: string): string | null {
  try {
    return decodeURIComponent(text.replaceAll('+', ' '))
  } catch {
    return null
  }
}
