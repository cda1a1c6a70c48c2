import assert from 'node:assert/strict'
import { access, constants } from 'node:fs/promises'
import type { AddressInfo } from 'node:net'
import { after, before, describe, it, type TestContext } from 'node:test'
import { chromium, type Browser, type Page } from 'playwright-core'
import type { OpenAPIV3_1 } from 'openapi-types'
import { loadDemoVisit } from '../../src/demo/load-demo-visit.js'
import { demoVisit } from '../../src/demo/lee-state-visit-china-2026.js'
import { buildTestApp, uniqueSlug } from '../helper.js'

// Debian's chromium package, which .ci/run installs; playwright-core brings no browser of its own.
const CHROMIUM = '/usr/bin/chromium'
const CHROMIUM_ARGS = [
  '--headless', '--no-sandbox', '--disable-gpu', '--disable-quic', '--no-first-run',
  // No calls home: the page under test must be the only thing that talks to the network.
  '--disable-background-networking', '--disable-component-update', '--disable-sync'
]
// The demo visit under a slug of this file's own: other tests may create or delete the real one.
const SLUG = uniqueSlug('lee-jae-myung-china-2026')
const ITINERARY_PATH = '/v1/visits/{visit}/itinerary'
const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const

/** Console errors, uncaught exceptions and CSP violations seen on a page, in the order they came. */
type PageProblems = string[]

async function launchChromium (): Promise<Browser> {
  await access(CHROMIUM, constants.X_OK).catch(() => {
    throw new Error(`No Chromium at ${CHROMIUM}: the Swagger UI test needs Debian's chromium package ` +
      '(`apt-get install -y --no-install-recommends chromium`, which .ci/run does).')
  })
  return chromium.launch({ executablePath: CHROMIUM, args: CHROMIUM_ARGS, timeout: 30_000 })
}

/** "GET /v1/visits" for every operation of an OpenAPI document. */
function documentedOperations (document: OpenAPIV3_1.Document): string[] {
  return Object.entries(document.paths ?? {}).flatMap(([path, item]) =>
    HTTP_METHODS.filter((method) => item?.[method] !== undefined).map((method) => `${method.toUpperCase()} ${path}`))
}

describe('Swagger UI at /docs in Chromium', { timeout: 120_000 }, () => {
  let browser: Browser
  let close = async () => {}
  let baseUrl: string
  let openApi: OpenAPIV3_1.Document

  before(async () => {
    // Before the app, so that a missing browser fails at once, with launchChromium's message.
    browser = await launchChromium()
    close = () => browser.close()
    const { app } = await buildTestApp()
    // Browser first, so that no page still talks to the app while it closes.
    close = async () => { await browser.close(); await app.close() }
    await loadDemoVisit(app.prisma, SLUG)
    await app.listen({ port: 0, host: '127.0.0.1' })
    baseUrl = `http://127.0.0.1:${(app.server.address() as AddressInfo).port}`
    // Fetched rather than imported, so operations added later are checked without touching this file.
    openApi = await (await fetch(`${baseUrl}/openapi.json`)).json() as OpenAPIV3_1.Document
  }, { timeout: 60_000 })
  after(() => close())

  /** /docs in a fresh browser context (closed after the test), once Swagger UI has rendered the operations. */
  async function openDocs (t: TestContext): Promise<{ page: Page, problems: PageProblems }> {
    const context = await browser.newContext()
    t.after(() => context.close())
    context.setDefaultTimeout(15_000)
    const problems: PageProblems = []
    // Chromium logs CSP violations as console errors too; the event also catches report-only ones.
    await context.exposeBinding('reportCspViolation', (_source, violation: string) => { problems.push(`CSP violation: ${violation}`) })
    await context.addInitScript(`document.addEventListener('securitypolicyviolation', (event) =>
      window.reportCspViolation(event.effectiveDirective + ' blocked ' + (event.blockedURI || 'inline code')))`)
    const page = await context.newPage()
    page.on('console', (message) => { if (message.type() === 'error') problems.push(`console error: ${message.text()}`) })
    page.on('pageerror', (error) => { problems.push(`uncaught exception: ${error.message}`) })
    const response = await page.goto(`${baseUrl}/docs`)
    assert.equal(response?.status(), 200, 'GET /docs')
    await page.locator('.opblock').first().waitFor()
    return { page, problems }
  }

  it('loads without console errors or Content-Security-Policy violations', async (t) => {
    const { page, problems } = await openDocs(t)
    // Late failures (a favicon, a lazily loaded script) show up by then.
    await page.waitForLoadState('networkidle')
    assert.deepEqual(problems, [])
  })

  it('lists every operation of the OpenAPI document', async (t) => {
    const { page, problems } = await openDocs(t)
    // Collapsed tags render no operations.
    for (const tag of await page.locator('.opblock-tag[data-is-open="false"]').all()) await tag.click()
    const listed = new Set(await Promise.all((await page.locator('.opblock').all()).map(async (operation) => {
      const method = await operation.locator('.opblock-summary-method').textContent()
      const path = await operation.locator('.opblock-summary-path').getAttribute('data-path')
      return `${method} ${path}`
    })))
    const documented = documentedOperations(openApi)
    assert.ok(documented.length > 0, 'the OpenAPI document has no operations')
    assert.deepEqual(documented.filter((operation) => !listed.has(operation)), [], 'operations missing from Swagger UI')
    assert.deepEqual(problems, [])
  })

  it('runs "Try it out" on the itinerary of the demo visit and shows the live response', async (t) => {
    const { page, problems } = await openDocs(t)
    const { operationId, tags } = openApi.paths?.[ITINERARY_PATH]?.get ?? {}
    assert.ok(operationId !== undefined && tags?.[0] !== undefined, `GET ${ITINERARY_PATH} has no operationId or tag`)
    const operation = page.locator(`[id="operations-${tags[0]}-${operationId}"]`)
    await operation.locator('.opblock-summary').click()
    await operation.getByRole('button', { name: 'Try it out' }).click()
    await operation.locator('tr[data-param-name="visit"] input').fill(SLUG)
    await operation.getByRole('button', { name: 'Execute' }).click()

    const live = operation.locator('.live-responses-table .response')
    await live.waitFor()
    assert.equal((await live.locator('.response-col_status').textContent())?.trim(), '200')
    const body = JSON.parse(await live.locator('.response-col_description .highlight-code pre').textContent() ?? '') as {
      visit: { slug: string, title: string }
      legs: Array<{ days: Array<{ engagements: Array<{ title: string, time: { startsAt: string } }> }> }>
    }
    assert.equal(body.visit.slug, SLUG)
    assert.equal(body.visit.title, demoVisit.title)
    const summit = body.legs.flatMap((leg) => leg.days.flatMap((day) => day.engagements))
      .find((engagement) => engagement.title === 'Summit with President Xi Jinping')
    assert.equal(summit?.time.startsAt, '2026-01-05T04:00:00.000Z')
    assert.deepEqual(problems, [])
  })
})
