/** How test/run.ts starts Node's test runner: TypeScript through tsx, a timeout for every test. */
export const NODE_TEST_ARGS = [
  '--import', 'tsx', '--expose-internals', '--import', new URL('per-test-timeout.ts', import.meta.url).href, '--test'
]
