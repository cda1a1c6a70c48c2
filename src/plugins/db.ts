import fp from 'fastify-plugin'
import { createPrismaClient, type PrismaClient } from '../db/client.js'

declare module 'fastify' {
  interface FastifyInstance {
    prisma: PrismaClient
  }
}

export interface DbPluginOptions {
  databaseUrl: string
}

/** The one Prisma client of the app, closed with it. */
export default fp<DbPluginOptions>(async (app, options) => {
  const prisma = createPrismaClient(options.databaseUrl)
  app.decorate('prisma', prisma)
  app.addHook('onClose', async () => {
    await prisma.$disconnect()
  })
}, { name: 'db' })
