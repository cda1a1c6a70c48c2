import fp from 'fastify-plugin'
import type { PrismaClient } from '../db/client.js'

export interface PublicationPluginOptions {
  /** How often to look for embargoes that have ended; 0 turns the look off (tests that count statements). */
  intervalMs: number
  /** Publishes the engagements whose embargo has ended; returns how many it published. */
  publishDue: (prisma: PrismaClient) => Promise<number>
}

/**
 * An embargo ends without a write: at its instant the engagement simply becomes visible. What
 * its hidden writes said about shared venues and people must then become public too, which takes
 * a write (src/services/publication.ts); this plugin makes it within `intervalMs`.
 * Every process does, so one of several may be down; the publication itself takes row locks, so
 * two never publish the same engagement.
 */
export default fp<PublicationPluginOptions>(async (app, options) => {
  if (options.intervalMs === 0) return
  let timer: NodeJS.Timeout | undefined
  let running: Promise<void> | undefined

  async function publish () {
    try {
      const published = await options.publishDue(app.prisma)
      if (published > 0) app.log.info({ published }, 'published engagements whose embargo ended')
    } catch (error) {
      // The database may be down; the next look tries again.
      app.log.warn({ err: error }, 'could not publish engagements whose embargo ended')
    }
  }

  app.addHook('onReady', async () => {
    timer = setInterval(() => {
      running ??= publish().finally(() => { running = undefined })
    }, options.intervalMs)
    // A process with nothing else to do may exit: nothing is lost, the next process publishes.
    timer.unref()
  })
  app.addHook('preClose', async () => {
    clearInterval(timer)
    await running
  })
}, { name: 'publication', dependencies: ['db'] })
