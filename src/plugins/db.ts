import fp from 'fastify-plugin'
import { createPrismaClient, type PrismaClient, type PrismaClientOptions } from '../db/client.js'

declare module 'fastify' {
  interface FastifyInstance {
    prisma: PrismaClient
  }
}

export interface DbPluginOptions {
  databaseUrl: string
  onQuery?: PrismaClientOptions['onQuery']
  timeouts: PrismaClientOptions['timeouts']
  transactionTimeoutMs: number
}

/** The one Prisma client of the app, closed with it. */
export default fp<DbPluginOptions>(async (app, options) => {
  const { databaseUrl, ...clientOptions } = options
  const prisma = createPrismaClient(databaseUrl, {
    ...clientOptions,
    onConnectionError: (error) => app.log.warn({ err: error }, 'a database connection was lost; the next query opens another')
  })
  app.decorate('prisma', prisma)
  app.addHook('onClose', async () => {
    await prisma.$disconnect()
  })
}, { name: 'db' })
