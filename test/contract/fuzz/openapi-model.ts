import { readFileSync } from 'node:fs'
import { projectPath } from '../../../src/project-root.js'

/** A JSON Schema as it appears in the OpenAPI 3.1 document, with every `$ref` inlined. */
export type Schema = Record<string, unknown> & {
  type?: string | string[]
  properties?: Record<string, Schema>
  required?: string[]
  items?: Schema
  anyOf?: Schema[]
  oneOf?: Schema[]
  enum?: unknown[]
  const?: unknown
  format?: string
  pattern?: string
  minLength?: number
  maxLength?: number
  minimum?: number
  maximum?: number
  minItems?: number
  maxItems?: number
  minProperties?: number
  additionalProperties?: boolean | Schema
  examples?: unknown[]
}

export interface Parameter {
  name: string
  in: 'path' | 'query' | 'header'
  required: boolean
  schema: Schema
}

export interface DocumentedResponse {
  /** media type → schema; empty for a response without a body (204). */
  content: Record<string, Schema | undefined>
  headers: string[]
}

export interface Operation {
  id: string
  method: 'get' | 'post' | 'put' | 'patch' | 'delete'
  path: string
  parameters: Parameter[]
  /** The parameters by location, each list built once so validators compiled for it are reused. */
  parametersIn: Record<Parameter['in'], Parameter[]>
  body: Schema | undefined
  bodyMediaTypes: string[]
  /** status ("200", "4XX", "default") → what the document promises for it. */
  responses: Record<string, DocumentedResponse>
  needsToken: boolean
}

const METHODS = ['get', 'post', 'put', 'patch', 'delete'] as const

export const DOCUMENT_PATH = projectPath('openapi', 'openapi.json')

interface RawDocument {
  paths: Record<string, Record<string, RawOperation>>
  components?: { schemas?: Record<string, Schema>, parameters?: Record<string, unknown>, responses?: Record<string, unknown> }
}

interface RawOperation {
  operationId?: string
  parameters?: Array<Parameter & { $ref?: string }>
  requestBody?: { content?: Record<string, { schema?: Schema }> }
  responses?: Record<string, { content?: Record<string, { schema?: Schema }>, headers?: Record<string, unknown>, $ref?: string }>
  security?: Array<Record<string, unknown>>
}

/**
 * Inlines every local `$ref` ("#/components/...") so that generators and validators see plain
 * schemas; a reference cycle would be a schema of unbounded depth, which this API has none of.
 */
function inlineRefs (value: unknown, document: RawDocument, seen: string[] = []): unknown {
  if (Array.isArray(value)) return value.map((item) => inlineRefs(item, document, seen))
  if (value === null || typeof value !== 'object') return value
  const record = value as Record<string, unknown>
  const ref = record.$ref
  if (typeof ref === 'string') {
    if (seen.includes(ref)) throw new Error(`reference cycle through ${ref}`)
    const target = ref.replace(/^#\//, '').split('/').reduce<unknown>((node, key) => (node as Record<string, unknown>)?.[key], document)
    if (target === undefined) throw new Error(`unresolved reference ${ref}`)
    const siblings = Object.fromEntries(Object.entries(record).filter(([key]) => key !== '$ref'))
    return { ...(inlineRefs(target, document, [...seen, ref]) as object), ...(inlineRefs(siblings, document, seen) as object) }
  }
  return Object.fromEntries(Object.entries(record).map(([key, item]) => [key, inlineRefs(item, document, seen)]))
}

export function loadDocument (): RawDocument {
  return JSON.parse(readFileSync(DOCUMENT_PATH, 'utf8')) as RawDocument
}

/** Every operation of the committed document, with references resolved. */
export function documentedOperations (raw: RawDocument = loadDocument()): Operation[] {
  const document = inlineRefs(raw, raw) as RawDocument
  const operations: Operation[] = []
  for (const [path, item] of Object.entries(document.paths)) {
    for (const method of METHODS) {
      const operation = item[method]
      if (operation === undefined) continue
      const bodyContent = operation.requestBody?.content ?? {}
      const bodyMediaTypes = Object.keys(bodyContent)
      const parameters = (operation.parameters ?? []).map((parameter) => ({ ...parameter, required: parameter.required === true }))
      operations.push({
        id: operation.operationId ?? `${method} ${path}`,
        method,
        path,
        parameters,
        parametersIn: {
          path: parameters.filter((parameter) => parameter.in === 'path'),
          query: parameters.filter((parameter) => parameter.in === 'query'),
          header: parameters.filter((parameter) => parameter.in === 'header')
        },
        body: bodyMediaTypes.length > 0 ? bodyContent[bodyMediaTypes[0] as string]?.schema ?? {} : undefined,
        bodyMediaTypes,
        responses: Object.fromEntries(Object.entries(operation.responses ?? {}).map(([status, response]) => [status, {
          content: Object.fromEntries(Object.entries(response.content ?? {}).map(([type, media]) => [type, media.schema])),
          headers: Object.keys(response.headers ?? {}).map((name) => name.toLowerCase())
        }])),
        needsToken: (operation.security ?? []).some((requirement) => Object.keys(requirement).length > 0)
      })
    }
  }
  return operations
}

/** The documented response for a status: the exact code, then its class ("4XX"), then "default". */
export function documentedResponse (operation: Operation, status: number): DocumentedResponse | undefined {
  return operation.responses[String(status)] ??
    operation.responses[`${String(status)[0]}XX`] ??
    operation.responses.default
}

/** The documented operation that serves a concrete request path, if any. */
export function operationServing (operations: Operation[], method: Operation['method'], path: string): Operation | undefined {
  return operations.find((operation) => operation.method === method &&
    new RegExp(`^${operation.path.replace(/\{[^}]+\}/g, '[^/]+')}$`).test(path))
}
