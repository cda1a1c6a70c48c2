import { Ajv2020, type ValidateFunction } from 'ajv/dist/2020.js'
import addFormats from 'ajv-formats'
import { addTimeFormats } from '../../../src/schemas/formats.js'
import type { Parameter, Schema } from './openapi-model.js'

function ajvWith (options: { coerceTypes: false | 'array' }) {
  const ajv = new Ajv2020({ strict: false, allErrors: false, ...options })
  addFormats.default(ajv)
  // After ajv-formats, so that the API's own time formats replace its date and date-time.
  addTimeFormats(ajv)
  return ajv
}

/** Takes data exactly as the document says: bodies and responses. */
const exact = ajvWith({ coerceTypes: false })
/**
 * Path, query and header values arrive as text; OpenAPI reads `limit=5` as the integer the
 * schema asks for, which is what coercion does.
 */
const fromText = ajvWith({ coerceTypes: 'array' })

const compiled = new Map<Ajv2020, WeakMap<Schema, ValidateFunction>>([[exact, new WeakMap()], [fromText, new WeakMap()]])

function validatorFor (ajv: Ajv2020, schema: Schema): ValidateFunction {
  const cache = compiled.get(ajv) as WeakMap<Schema, ValidateFunction>
  let validate = cache.get(schema)
  if (validate === undefined) {
    validate = ajv.compile(schema)
    cache.set(schema, validate)
  }
  return validate
}

export interface Verdict {
  valid: boolean
  errors: string
}

function verdict (validate: ValidateFunction, data: unknown): Verdict {
  const valid = validate(data)
  return { valid, errors: valid ? '' : (validate.errors ?? []).map((error) => `${error.instancePath || '/'} ${error.message ?? ''}`).join('; ') }
}

/** A body or response body against its schema, with no coercion. */
export function checkValue (schema: Schema, data: unknown): Verdict {
  return verdict(validatorFor(exact, schema), structuredClone(data))
}

const parameterSchemas = new WeakMap<Parameter[], Schema>()

/**
 * Path, query or header values (text) against the operation's parameters of one location.
 * Path and query lists are closed (a name the document does not give is an invalid request);
 * headers are open, since clients and proxies add their own.
 */
export function checkParameters (parameters: Parameter[], values: Record<string, string>, closed: boolean): Verdict {
  let schema = parameterSchemas.get(parameters)
  if (schema === undefined) {
    schema = {
      type: 'object',
      properties: Object.fromEntries(parameters.map((parameter) => [closed ? parameter.name : parameter.name.toLowerCase(), parameter.schema])),
      required: parameters.filter((parameter) => parameter.required).map((parameter) => closed ? parameter.name : parameter.name.toLowerCase()),
      additionalProperties: !closed
    }
    parameterSchemas.set(parameters, schema)
  }
  return verdict(validatorFor(fromText, schema), { ...values })
}
