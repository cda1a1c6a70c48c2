import { once } from 'node:events'
import { createServer, connect, type AddressInfo, type Server, type Socket } from 'node:net'

/**
 * A TCP proxy in front of a server (the test database, Redis) that a test can cut (every
 * connection dropped, new ones refused, as when the server goes down) and restore on the same port,
 * or freeze (connections kept open, nothing forwarded, as when the server hangs or packets are lost).
 */
export class CuttableProxy {
  private readonly sockets = new Set<Socket>()
  private server: Server | undefined
  port = 0

  constructor (private readonly target: { host: string, port: number }) {}

  async open () {
    const server = createServer((client) => {
      const upstream = connect(this.target.port, this.target.host)
      for (const [from, to] of [[client, upstream], [upstream, client]] as const) {
        this.sockets.add(from)
        from.on('error', () => to.destroy())
        from.on('close', () => {
          this.sockets.delete(from)
          to.destroy()
        })
        from.pipe(to)
      }
    })
    server.listen(this.port, '127.0.0.1')
    await once(server, 'listening')
    this.port = (server.address() as AddressInfo).port
    this.server = server
  }

  /** Stops forwarding on the open connections, which stay open; `thaw` forwards again. */
  freeze () {
    for (const socket of this.sockets) socket.pause()
  }

  thaw () {
    for (const socket of this.sockets) socket.resume()
  }

  async cut () {
    const closed = this.server === undefined ? Promise.resolve() : once(this.server, 'close')
    this.server?.close()
    this.server = undefined
    for (const socket of this.sockets) socket.destroy()
    await closed
  }
}
