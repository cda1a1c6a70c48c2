import { pathToFileURL } from 'node:url'
import { projectPath } from '../src/project-root.js'

/**
 * Where `tsc -p .` writes the project's JavaScript (tsconfig.json `outDir`), which the suite runs:
 * compiled once by test/run.ts, instead of every test process transforming the same TypeScript.
 */
export const BUILD_DIR = projectPath('.build')

/** The compiled file of a source file, named from the project's folder: `test/helper.ts` -> `<project>/.build/test/helper.js`. */
export function compiledPath (sourcePath: string): string {
  return projectPath('.build', sourcePath.replace(/\.ts$/, '.js'))
}

/** How test/run.ts starts Node's test runner on compiled files: source-mapped stack traces, a timeout for every test. */
export const NODE_TEST_ARGS = [
  '--enable-source-maps', '--expose-internals', '--import', pathToFileURL(compiledPath('test/per-test-timeout.ts')).href, '--test'
]
