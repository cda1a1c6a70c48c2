import AjvCompiler from '@fastify/ajv-compiler'

type BuildValidator = ReturnType<typeof AjvCompiler>

/**
 * Two validators: values from the URL and headers arrive as text and are coerced ("50" is the
 * number 50); bodies are JSON and are checked as sent, so a null or a number is never turned
 * into a string behind the client's back. Both share the app's Ajv options and schemas.
 */
export function buildValidatorByPart (): BuildValidator {
  const coercing = AjvCompiler()
  const exact = AjvCompiler()
  return (externalSchemas, options) => {
    const forUrlAndHeaders = coercing(externalSchemas, options)
    // The options type also allows JTD mode, which this app does not use: hence the cast.
    const bodyOptions = { ...options, customOptions: { ...options?.customOptions, coerceTypes: false } } as typeof options
    const forBody = exact(externalSchemas, bodyOptions)
    return (route) => (route.httpPart === 'body' ? forBody : forUrlAndHeaders)(route)
  }
}
