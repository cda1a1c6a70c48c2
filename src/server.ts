import closeWithGrace from 'close-with-grace'
import { exitOnStartupFailure } from './startup/errors.js'
import { startService } from './startup/start-service.js'

// The process: starts the service (src/startup/), then closes it gracefully on a signal.
const service = await startService(process.env).catch(exitOnStartupFailure)

// Past the delay something is stuck, and the process exits 1.
closeWithGrace({ delay: service.closeDelayMs }, async ({ signal, err }) => {
  if (err !== undefined) service.app.log.error({ err }, 'shutting down after an error')
  else service.app.log.info({ signal }, 'shutting down')
  await service.close()
})
