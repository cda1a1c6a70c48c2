import assert from 'node:assert/strict'
import { execFile } from 'node:child_process'
import { test } from 'node:test'
import { promisify } from 'node:util'
import { projectRoot } from '../../src/project-root.js'

const run = promisify(execFile)

// The server's logger as built at start, logging one line to the process's real stdout.
const LOG_ONE_LINE = "import Fastify from 'fastify'; import { loggerOptions } from './src/startup/logger.ts'; " +
  "const app = Fastify({ logger: loggerOptions('info') }); app.log.info('hello from the logger'); await app.close()"
const logOneLine = ['--import', 'tsx', '--input-type=module', '-e', LOG_ONE_LINE]

test('logs are JSON lines when stdout is a pipe, readable lines on a terminal', async () => {
  const piped = await run(process.execPath, logOneLine, { cwd: projectRoot })
  const line = JSON.parse(piped.stdout.trim()) as { level: number, msg: string }
  assert.deepEqual([line.level, line.msg], [30, 'hello from the logger'])

  // script(1) runs the command on a pseudo-terminal, as a person's shell would.
  const command = [process.execPath, ...logOneLine].map((arg) => `'${arg.replaceAll("'", "'\\''")}'`).join(' ')
  const onTerminal = await run('script', ['-qec', command, '/dev/null'], { cwd: projectRoot })
  // Without the colours' escape sequences.
  const text = onTerminal.stdout.replace(new RegExp(`${String.fromCharCode(27)}\\[[0-9;]*m`, 'g'), '')
  assert.match(text, /^\[\d\d:\d\d:\d\d\.\d{3}\] INFO: hello from the logger\r?$/m)
  assert.ok(!text.includes('"level"'), text)
})
