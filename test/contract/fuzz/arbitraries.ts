import fc from 'fast-check'
import { timeFormats } from '../../../src/schemas/formats.js'
import type { Schema } from './openapi-model.js'
import { checkValue } from './schema-validation.js'

/**
 * Characters that break careless code, each one code point (JSON Schema lengths count code
 * points): direction overrides and marks, zero-width space, byte-order mark, an emoji outside
 * the BMP, a combining mark, a lone surrogate (JSON can carry one as \ud800), NUL, CR, LF, and
 * the metacharacters of SQL, LIKE, HTML and shells.
 */
export const ODD_CHARACTERS = [
  '\u202E', '\u200F', '\u200B', '\uFEFF', '😀', '\u0301', '\uD800', '\u0000', '\r', '\n', '\t',
  '\'', '"', '\\', '%', '_', ';', '\u2019', '\u201C', '<', '&', '$'
]

const codePoint = fc.string({ unit: 'binary', minLength: 1, maxLength: 1 })
const textUnit = fc.oneof({ weight: 3, arbitrary: codePoint }, { weight: 1, arbitrary: fc.constantFrom(...ODD_CHARACTERS) })

const ZONES = [...Intl.supportedValuesOf('timeZone'), 'UTC', 'Etc/UTC', 'asia/seoul', 'Pacific/Chatham', 'Australia/Lord_Howe']
  .filter((name) => timeFormats['time-zone']?.(name))

const instants = fc.oneof(
  // Around the fixtures' dates, so that valid requests can meet real rows.
  fc.date({ min: new Date('2025-12-01T00:00:00Z'), max: new Date('2026-12-31T23:59:59Z'), noInvalidDate: true }),
  fc.date({ min: new Date('1900-01-01T00:00:00Z'), max: new Date('2199-12-31T23:59:59Z'), noInvalidDate: true })
).map((date) => date.toISOString())

const OFFSETS = ['Z', '+08:00', '-05:00', '+05:45', '+12:45', '-09:30', '+00:00']

/**
 * The ends of the supported range (src/domain/time-range.ts) and just past them, where
 * JavaScript, luxon and Postgres part ways: year 0000 (1 BC to JavaScript, nothing to Postgres),
 * the last days of 9999 (whose local days or offsets reach year 10000) and offsets of a whole day.
 * Mixed into the values of every time format; the format itself decides which of them are valid.
 */
const EDGE_DATES = ['0000-01-01', '0000-12-31', '0001-01-01', '0001-01-02', '9999-12-30', '9999-12-31']
const EDGE_CLOCKS = ['00:00', '00:00:00', '12:00:00', '23:59:59', '23:59:59.999']
const EDGE_OFFSETS = ['-23:59', '+23:59', '+14:00', '-12:00', 'Z']
const edgeDate = fc.constantFrom(...EDGE_DATES)
const edgeLocal = fc.tuple(edgeDate, fc.constantFrom(...EDGE_CLOCKS)).map(([date, clock]) => `${date}T${clock}`)
const edgeInstant = fc.tuple(edgeLocal, fc.constantFrom(...EDGE_OFFSETS)).map(([local, offset]) => `${local}${offset}`)
const withEdges = (usual: fc.Arbitrary<string>, edge: fc.Arbitrary<string>) =>
  fc.oneof({ weight: 6, arbitrary: usual }, { weight: 1, arbitrary: edge })

const FORMATS: Record<string, fc.Arbitrary<string>> = {
  'time-zone': fc.constantFrom(...ZONES),
  date: withEdges(instants.map((iso) => iso.slice(0, 10)), edgeDate),
  'date-time': withEdges(fc.tuple(instants, fc.boolean(), fc.constantFrom(...OFFSETS))
    .map(([iso, withFraction, offset]) => `${iso.slice(0, withFraction ? 23 : 19)}${offset}`), edgeInstant),
  'local-date-time': withEdges(fc.tuple(instants, fc.constantFrom(16, 19, 23)).map(([iso, length]) => iso.slice(0, length)), edgeLocal),
  uuid: fc.uuid(),
  uri: fc.webUrl({ validSchemes: ['http', 'https'], withQueryParameters: true, withFragments: true })
}

function typeOf (schema: Schema): string | undefined {
  if (Array.isArray(schema.type)) return schema.type[0]
  return schema.type ?? (schema.properties === undefined ? undefined : 'object')
}

function stringValue (schema: Schema): fc.Arbitrary<string> {
  const formatted = schema.format === undefined ? undefined : FORMATS[schema.format]
  if (formatted !== undefined) return formatted
  if (schema.pattern !== undefined) return fc.stringMatching(new RegExp(schema.pattern))
  const minLength = schema.minLength ?? 0
  const short = fc.string({ unit: textUnit, minLength, maxLength: Math.max(minLength, Math.min(schema.maxLength ?? 40, 40)) })
  if (schema.maxLength === undefined) return short
  // Now and then exactly as long as allowed: limits are where off-by-one errors live.
  const longest = fc.string({ unit: textUnit, minLength: schema.maxLength, maxLength: schema.maxLength })
  return fc.oneof({ weight: 6, arbitrary: short }, { weight: 1, arbitrary: longest })
}

function objectValue (schema: Schema): fc.Arbitrary<Record<string, unknown>> {
  const properties = schema.properties ?? {}
  const model = Object.fromEntries(Object.entries(properties).map(([name, property]) => [name, validValue(property)]))
  const requiredKeys = (schema.required ?? []).filter((name) => name in properties)
  const record = fc.record(model, { requiredKeys }) as fc.Arbitrary<Record<string, unknown>>
  const minProperties = schema.minProperties ?? 0
  return minProperties > 0 ? record.filter((value) => Object.keys(value).length >= minProperties) : record
}

function generatedValue (schema: Schema): fc.Arbitrary<unknown> {
  if ('const' in schema) return fc.constant(schema.const)
  if (schema.enum !== undefined) return fc.constantFrom(...schema.enum)
  const branches = schema.anyOf ?? schema.oneOf
  if (branches !== undefined) return fc.oneof(...branches.map(validValue))
  switch (typeOf(schema)) {
    case 'null': return fc.constant(null)
    case 'boolean': return fc.boolean()
    case 'integer': return fc.integer({ min: schema.minimum ?? -1_000_000, max: schema.maximum ?? 1_000_000 })
    case 'number':
      return fc.double({ min: schema.minimum ?? -1e6, max: schema.maximum ?? 1e6, noNaN: true, noDefaultInfinity: true })
    case 'string': return stringValue(schema)
    case 'array':
      return fc.array(validValue(schema.items ?? {}), { minLength: schema.minItems ?? 0, maxLength: Math.min(schema.maxItems ?? 3, 3) })
    case 'object': return objectValue(schema)
    default: return fc.jsonValue()
  }
}

const validValues = new WeakMap<Schema, fc.Arbitrary<unknown>>()

/**
 * Values the schema accepts: generated from its keywords, mixed with the document's own
 * examples (which are realistic enough to pass the checks JSON Schema cannot express). Text is
 * filtered through the validator, where a pattern and a length limit meet; whatever else slips
 * through is caught when the request is judged, which validates it whole.
 */
export function validValue (schema: Schema): fc.Arbitrary<unknown> {
  let arbitrary = validValues.get(schema)
  if (arbitrary === undefined) {
    const generated = typeOf(schema) === 'string'
      ? generatedValue(schema).filter((value) => checkValue(schema, value).valid)
      : generatedValue(schema)
    const examples = (schema.examples ?? []).filter((example) => checkValue(schema, example).valid)
    arbitrary = examples.length === 0
      ? generated
      : fc.oneof(fc.constantFrom(...examples), generated)
    validValues.set(schema, arbitrary)
  }
  return arbitrary
}

/** A value as text, the way it travels in a path, a query string or a header. */
export function asText (value: unknown): string {
  return typeof value === 'string' ? value : JSON.stringify(value)
}

/** A number JSON can write but JavaScript cannot hold: the body carries it as raw text. */
export const HUGE_NUMBER_TEXT = '1e400'
const HUGE_NUMBER_MARK = '\u0000huge-number\u0000'

/** The JSON text of a body, with the huge-number mark written as a bare 1e400. */
export function jsonText (value: unknown): string {
  return JSON.stringify(value).replaceAll(JSON.stringify(HUGE_NUMBER_MARK), HUGE_NUMBER_TEXT)
}

/** What a body with huge-number marks reads as once parsed: Infinity where the mark was. */
export function parsedBody (value: unknown): unknown {
  return JSON.parse(jsonText(value)) as unknown
}

function insertAt (text: string, insert: string, position: number): string {
  const characters = [...text]
  characters.splice(position % (characters.length + 1), 0, insert)
  return characters.join('')
}

/** Values of the wrong type that no coercion turns into the right one. */
function wrongTypes (schema: Schema): unknown[] {
  switch (typeOf(schema)) {
    case 'integer':
    case 'number': return ['not a number', {}, [1, 2]]
    case 'object': return ['text', [1, 2], 42]
    case 'array': return [{}, 'text']
    default: return [{}, [1, 2], { $gt: '' }]
  }
}

// Dates and instants just outside the supported range, and the expanded years JavaScript writes past it.
const EDGE_VALUES: Record<string, fc.Arbitrary<string>> = {
  date: fc.constantFrom('0000-06-15', '0000-01-01', '10000-01-01', '+010000-01-01'),
  'local-date-time': fc.constantFrom('0000-06-15T12:00', '0000-12-31T23:59:59.999', '10000-01-01T00:00'),
  'date-time': fc.constantFrom('0000-06-15T12:00:00Z', '9999-12-31T23:59:59-23:59', '0001-01-01T00:00:00+23:59',
    '+010000-01-01T00:00:00.000Z', '-000001-01-01T00:00:00Z', '9999-12-31T12:00:00Z')
}

/** A base64url JSON array as this API's cursors are, made of parts at and past every limit. */
const CURSOR_PARTS = ['visible', 'recorded', '0', '1', '0.5', '1e999', '-1', '9223372036854775807', '9223372036854775808',
  '99999999999999999999', '0000-01-01T00:00:00.000Z', '0001-01-02T00:00:00.000Z', '9999-12-30T23:59:59.999Z',
  '+010000-01-01T00:00:00.000Z', '9999-12-31', '0000-01-01', '2026-01-05T00:00:00.000Z', '2026-01-05',
  '0b3f8a52-7c1e-4a57-9a2e-2f0f4d6c9e11', '', '\u0000']
export const forgedCursor = fc.array(fc.oneof(fc.constantFrom(...CURSOR_PARTS), fc.integer(), fc.constant(null)), { minLength: 1, maxLength: 3 })
  .map((parts) => Buffer.from(JSON.stringify(parts)).toString('base64url'))

/**
 * Text that breaks a text constraint: too long, too short, or a valid value spoiled with an
 * odd character (a direction mark inside an enum, CRLF inside a date, an emoji in a slug).
 */
function brokenText (schema: Schema): fc.Arbitrary<string> {
  const candidates: Array<fc.Arbitrary<string>> = [
    fc.tuple(validValue(schema).map(asText), fc.constantFrom(...ODD_CHARACTERS, '\r\nX-Injected: yes'), fc.nat())
      .map(([text, insert, position]) => insertAt(text, insert, position)),
    fc.constantFrom('', ' ', 'null', 'undefined', '\' OR \'1\'=\'1', '../../etc/passwd', '%00', 'NaN', '😀'.repeat(3))
  ]
  const edge = schema.format === undefined ? undefined : EDGE_VALUES[schema.format]
  if (edge !== undefined) candidates.push(edge)
  if (schema.maxLength !== undefined) {
    const limit = schema.maxLength
    candidates.push(fc.constantFrom('x'.repeat(limit + 1), '😀'.repeat(limit + 1), 'a'.repeat(Math.max(limit * 10, 8000))))
  }
  return fc.oneof(...candidates)
}

function brokenNumber (schema: Schema): fc.Arbitrary<unknown> {
  const values: unknown[] = [1e308, -1e308, HUGE_NUMBER_MARK]
  if (schema.minimum !== undefined) values.push(schema.minimum - 1, schema.minimum - 0.5)
  if (schema.maximum !== undefined) values.push(schema.maximum + 1, schema.maximum + 0.5)
  if (typeOf(schema) === 'integer') values.push(1.5, -0.000001)
  return fc.constantFrom(...values)
}

/** Query, path and header values (text) that break the parameter's schema. */
export function brokenParameterText (schema: Schema): fc.Arbitrary<string> {
  if (typeOf(schema) === 'integer' || typeOf(schema) === 'number') {
    const bounds = [schema.minimum, schema.maximum].filter((bound) => bound !== undefined)
    return fc.constantFrom('NaN', 'Infinity', '-Infinity', '1e400', '1.5', '', ' ', '-1', '٣', 'ten', '9'.repeat(400),
      ...bounds.flatMap((bound) => [String(bound - 1), String(bound + 1)]))
  }
  return brokenText(schema)
}

export interface Mutant {
  value: unknown
  how: string
}

/**
 * A value that breaks the schema somewhere: here (wrong type, out of range, too long, spoiled
 * text, a required property missing, a property too many) or in one of its parts.
 */
export function mutatedValue (schema: Schema, where = ''): fc.Arbitrary<Mutant> {
  const here = where === '' ? '/' : where
  const candidates: Array<fc.Arbitrary<Mutant>> = [
    fc.constantFrom(...wrongTypes(schema)).map((value) => ({ value, how: `wrong type at ${here}` }))
  ]
  const type = typeOf(schema)
  if (type === 'string' || schema.enum !== undefined) {
    candidates.push(brokenText(schema).map((value) => ({ value, how: `broken text at ${here}` })))
  }
  if (type === 'integer' || type === 'number') {
    candidates.push(brokenNumber(schema).map((value) => ({ value, how: `number out of bounds at ${here}` })))
  }
  if (type === 'array' && schema.items !== undefined) {
    const items = schema.items
    if (schema.maxItems !== undefined) {
      const tooMany = schema.maxItems + 1
      candidates.push(validValue(items).map((item) => ({ value: Array.from({ length: tooMany }, () => item), how: `${tooMany} items at ${here}` })))
    }
    candidates.push(fc.tuple(fc.array(validValue(items), { maxLength: 2 }), mutatedValue(items, `${where}/0`))
      .map(([others, broken]) => ({ value: [broken.value, ...others], how: broken.how })))
  }
  if (type === 'object') {
    const properties = schema.properties ?? {}
    const valid = objectValue(schema)
    for (const name of schema.required ?? []) {
      candidates.push(valid.map((value) => ({
        value: Object.fromEntries(Object.entries(value).filter(([key]) => key !== name)),
        how: `missing ${where}/${name}`
      })))
    }
    if (schema.additionalProperties === false) {
      candidates.push(fc.tuple(valid, fc.constantFrom('unexpected', 'Title', 'title ', 'id', 'constructor', 'x\u0000y'))
        .map(([value, extra]) => ({ value: { ...value, [extra]: 'surplus' }, how: `extra property ${where}/${extra}` })))
    }
    if ((schema.minProperties ?? 0) > 0) candidates.push(fc.constant({ value: {}, how: `empty object at ${here}` }))
    for (const [name, property] of Object.entries(properties)) {
      candidates.push(fc.tuple(valid, mutatedValue(property, `${where}/${name}`))
        .map(([value, broken]) => ({ value: { ...value, [name]: broken.value }, how: broken.how })))
    }
  }
  return fc.oneof(...candidates)
}
