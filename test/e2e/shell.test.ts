// End to end: `lwm2m-wb serve` and its UI in real Chromium. Screenshots go to test-results/e2e/
// so that people can look at what users see.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { launchChromium } from '../helpers/browser'
import { ROOT, runCliAsync, serve, type Served } from '../helpers/cli'
import { tempDir } from '../helpers/temp-dir'
import pkg from '../../package.json'

const SHOTS = join(ROOT, 'test-results', 'e2e')
let data: ReturnType<typeof tempDir>
let served: Served
let browser: Browser

beforeAll(async () => {
  mkdirSync(SHOTS, { recursive: true })
  data = tempDir()
  served = await serve(data.path)
  browser = await launchChromium()
})
afterAll(async () => {
  await browser?.close()
  await served?.stop()
  data?.cleanup()
})

async function openUi(url = served.uiUrl): Promise<{ page: Page; problems: string[] }> {
  const page = await browser.newPage({ viewport: { width: 1280, height: 800 } })
  const problems: string[] = []
  // CSP violations and script errors surface as console errors / page errors.
  page.on('console', (m) => {
    if (m.type() === 'error') problems.push(m.text())
  })
  page.on('pageerror', (e) => problems.push(e.message))
  await page.goto(url)
  return { page, problems }
}

describe('the shell in Chromium (headless mode)', () => {
  it('shows the system info over the WebSocket carrier, with no CSP violation or script error', async () => {
    const { page, problems } = await openUi()
    await page.getByTestId('version').waitFor()
    expect(await page.getByTestId('version').textContent()).toContain(pkg.version)
    await expect.poll(() => page.getByTestId('connection-state').textContent()).toContain('Connected')
    const info = await page.getByTestId('system-info').textContent()
    expect(info).toContain(data.path)
    expect(info).toContain('WebSocket')
    expect(await page.getByTestId('capabilities').textContent()).toMatch(/Serial lines.*(Available|Unavailable)/)
    // The token left the address bar once read.
    expect(page.url()).not.toContain('token=')
    await page.screenshot({ path: join(SHOTS, 'overview-light.png') })
    expect(problems).toEqual([])
    await page.close()
  })

  it('switches to the dark theme from the header and keeps it after a reload', async () => {
    const { page, problems } = await openUi()
    await page.getByTestId('version').waitFor()
    const isDark = () => page.evaluate(() => document.documentElement.classList.contains('dark'))
    const before = await isDark()
    await page.getByTestId('theme-toggle').click()
    await expect.poll(isDark).toBe(!before)
    await page.reload() // the token is kept for this tab
    await page.getByTestId('version').waitFor()
    await expect.poll(isDark).toBe(!before)
    if (!before) await page.screenshot({ path: join(SHOTS, 'overview-dark.png') })
    expect(problems).toEqual([])
    await page.close()
  })

  it('follows a setting changed by another client (events as JSON-RPC notifications)', async () => {
    const { page } = await openUi()
    await page.getByTestId('version').waitFor()
    const isDark = () => page.evaluate(() => document.documentElement.classList.contains('dark'))
    for (const theme of ['light', 'dark'] as const) {
      const r = await runCliAsync(['call', 'settings.set', JSON.stringify({ key: 'ui.theme', value: theme }), '--data-dir', data.path])
      expect(r.status).toBe(0)
      await expect.poll(isDark).toBe(theme === 'dark')
    }
    await page.close()
  })

  it('is reachable by keyboard: Tab reaches the navigation and Enter follows it', async () => {
    const { page } = await openUi()
    await page.getByTestId('version').waitFor()
    let reached = false
    for (let i = 0; i < 20 && !reached; i++) {
      await page.keyboard.press('Tab')
      reached = (await page.evaluate(() => document.activeElement?.textContent?.trim())) === 'Settings'
    }
    expect(reached).toBe(true)
    await page.keyboard.press('Enter')
    await page.waitForURL(/\/settings$/)
    await page.getByTestId('theme').waitFor()
    await page.screenshot({ path: join(SHOTS, 'settings.png') })
    await page.close()
  })

  it('with a wrong token the page says so instead of hanging', async () => {
    const { page } = await openUi(`${served.baseUrl}#token=${'A'.repeat(43)}`)
    await expect.poll(() => page.getByTestId('connection-state').textContent(), { timeout: 15_000 }).toContain('Not authorised')
    await page.close()
  })

  it('without the token the page says it is not authorised instead of hanging', async () => {
    const { page } = await openUi(served.baseUrl)
    await expect.poll(() => page.getByTestId('connection-state').textContent(), { timeout: 15_000 }).toContain('Not authorised')
    expect(await page.getByTestId('unauthorized').textContent()).toContain('lwm2m-wb serve')
    await page.screenshot({ path: join(SHOTS, 'no-token.png') })
    await page.close()
  })
})
