import assert from 'node:assert/strict'
import type { AddressInfo } from 'node:net'
import { after, before, describe, it, type TestContext } from 'node:test'
import type { Browser, Locator, Page } from 'playwright-core'
import type { OpenAPIV3_1 } from 'openapi-types'
import { DEMO_IDS } from '../../src/demo/demo-ids.js'
import { demoVisit } from '../../src/demo/lee-state-visit-china-2026.js'
import { WRITE_TOKEN } from '../helper.js'
import { buildFreshDemoApp } from '../own-database.js'
import { launchChromium, needsChromium } from './chromium.js'

const SLUG = demoVisit.slug
const ITINERARY_PATH = '/v1/visits/{visit}/itinerary'
const ENGAGEMENTS_PATH = '/v1/visits/{visit}/engagements'
const HTTP_METHODS = ['get', 'put', 'post', 'delete', 'options', 'head', 'patch', 'trace'] as const

/** Console errors, uncaught exceptions and CSP violations seen on a page, in the order they came. */
type PageProblems = string[]

/** "GET /v1/visits" for every operation of an OpenAPI document. */
function documentedOperations (document: OpenAPIV3_1.Document): string[] {
  return Object.entries(document.paths ?? {}).flatMap(([path, item]) =>
    HTTP_METHODS.filter((method) => item?.[method] !== undefined).map((method) => `${method.toUpperCase()} ${path}`))
}

describe('Swagger UI at /docs in Chromium', needsChromium, () => {
  let browser: Browser
  let close = async () => {}
  let baseUrl: string
  let openApi: OpenAPIV3_1.Document

  before(async () => {
    // Before the app, so that a missing browser fails at once, with launchChromium's message.
    browser = await launchChromium()
    close = () => browser.close()
    // The demo as a fresh `npm start` has it, in a database of its own, since the examples name its ids.
    const demo = await buildFreshDemoApp()
    const { app } = demo
    // Browser first, so that no page still talks to the app while it closes.
    close = async () => { await browser.close(); await demo.close() }
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

  /** The operation's block, expanded and in "Try it out" mode. */
  async function tryItOut (page: Page, method: 'get' | 'post', path: string): Promise<Locator> {
    const { operationId, tags } = openApi.paths?.[path]?.[method] ?? {}
    assert.ok(operationId !== undefined && tags?.[0] !== undefined, `${method.toUpperCase()} ${path} has no operationId or tag`)
    const operation = page.locator(`[id="operations-${tags[0]}-${operationId}"]`)
    await operation.locator('.opblock-summary').click()
    await operation.getByRole('button', { name: 'Try it out' }).click()
    return operation
  }

  /** Clicks Execute and reads the live response Swagger UI then shows, which "Clear" removes again. */
  async function execute (operation: Locator): Promise<{ status: string | undefined, body: unknown }> {
    await operation.getByRole('button', { name: 'Execute' }).click()
    const live = operation.locator('.live-responses-table .response')
    await live.waitFor()
    const status = (await live.locator('.response-col_status').textContent())?.trim()
    const body: unknown = JSON.parse(await live.locator('.response-col_description .highlight-code pre').textContent() ?? '')
    await operation.getByRole('button', { name: 'Clear' }).click()
    await live.waitFor({ state: 'detached' })
    return { status, body }
  }

  it('runs "Try it out" on the itinerary of the demo visit and shows the live response', async (t) => {
    const { page, problems } = await openDocs(t)
    const operation = await tryItOut(page, 'get', ITINERARY_PATH)
    await operation.locator('tr[data-param-name="visit"] input').fill(SLUG)
    const { status, body } = await execute(operation)
    assert.equal(status, '200')
    const itinerary = body as {
      visit: { slug: string, title: string }
      legs: Array<{ days: Array<{ engagements: Array<{ title: string, time: { startsAt: string } }> }> }>
    }
    assert.equal(itinerary.visit.slug, SLUG)
    assert.equal(itinerary.visit.title, demoVisit.title)
    const summit = itinerary.legs.flatMap((leg) => leg.days.flatMap((day) => day.engagements))
      .find((engagement) => engagement.title === 'Summit with President Xi Jinping')
    assert.equal(summit?.time.startsAt, '2026-01-05T04:00:00.000Z')
    assert.deepEqual(problems, [])
  })

  it('creates an engagement with the example "Try it out" fills in, once authorised, and again on a second try', async (t) => {
    const { page, problems } = await openDocs(t)
    await page.locator('.auth-wrapper .authorize').click()
    const dialog = page.locator('.modal-ux')
    await dialog.locator('input').fill(WRITE_TOKEN)
    await dialog.locator('.auth-btn-wrapper .authorize').click()
    await dialog.locator('.auth-btn-wrapper .btn-done').click()

    const operation = await tryItOut(page, 'post', ENGAGEMENTS_PATH)
    // Nothing typed in: the path, headers and body are the examples Swagger UI fills in.
    const created = []
    for (const attempt of ['first', 'second']) {
      const { status, body } = await execute(operation)
      assert.equal(status, '201', `${attempt} try: ${JSON.stringify(body)}`)
      created.push(body as { id: string, visitId: string, legId: string })
    }
    assert.deepEqual(created.map(({ visitId, legId }) => ({ visitId, legId })), [
      { visitId: DEMO_IDS.visit, legId: DEMO_IDS.legs.beijing }, { visitId: DEMO_IDS.visit, legId: DEMO_IDS.legs.beijing }
    ])
    assert.notEqual(created[0]?.id, created[1]?.id)
    assert.deepEqual(problems, [])
  })
})
