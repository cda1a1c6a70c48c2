/**
 * A one-line progress bar on stderr, redrawn in place on a terminal and printed once per step
 * elsewhere (CI logs would otherwise fill with carriage returns).
 */
export class ProgressBar {
  private readonly startedAt = Date.now()
  private done = 0
  private lastLine = ''

  constructor (private readonly total: number, private readonly width = 30) {}

  advance (label: string, amount = 1) {
    this.done = Math.min(this.total, this.done + amount)
    this.draw(label)
  }

  finish (label: string) {
    this.done = this.total
    this.draw(label)
    if (process.stderr.isTTY) process.stderr.write('\n')
  }

  private draw (label: string) {
    const fraction = this.total === 0 ? 1 : this.done / this.total
    const filled = Math.round(fraction * this.width)
    const seconds = ((Date.now() - this.startedAt) / 1000).toFixed(1)
    const line = `[${'#'.repeat(filled)}${'.'.repeat(this.width - filled)}] ${String(Math.round(fraction * 100)).padStart(3)}% ${label} (${seconds} s)`
    if (process.stderr.isTTY) {
      process.stderr.write(`\r${line.padEnd(this.lastLine.length)}`)
    } else {
      process.stderr.write(`${line}\n`)
    }
    this.lastLine = line
  }
}
