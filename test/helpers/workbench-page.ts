// One e2e session: `lwm2m-wb serve` on ephemeral ports in a fresh data dir, Chromium on its UI,
// and every console error, page error and failed request collected (CSP violations show there).
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import type { Browser, Page } from 'playwright-core'
import { launchChromium } from './browser'
import { ROOT, runCliAsync, serve, type Served } from './cli'
import { tempDir } from './temp-dir'

export const SHOTS = join(ROOT, 'test-results', 'e2e')

export interface WorkbenchPage {
  readonly data: ReturnType<typeof tempDir>
  readonly served: Served
  readonly browser: Browser
  readonly page: Page
  readonly problems: string[]
  /** Listener ports by role ("LwM2M Server", "Bootstrap Server"). */
  readonly ports: Record<string, number>
  close(): Promise<void>
}

/** `serveArgs`: extra `lwm2m-wb serve` options (e.g. `--demo 5`). */
export async function openWorkbenchPage(serveArgs: string[] = []): Promise<WorkbenchPage> {
  mkdirSync(SHOTS, { recursive: true })
  const data = tempDir()
  const served = await serve(data.path, serveArgs)
  const info = JSON.parse((await runCliAsync(['call', 'system.info', '--data-dir', data.path])).stdout)
  const ports = Object.fromEntries(info.capabilities.listeners.map((l: { role: string; port: number; transport: string }) => [l.transport.startsWith('coaps') ? `${l.role} DTLS` : l.role, l.port]))
  const browser = await launchChromium()
  const page = await browser.newPage({ viewport: { width: 1280, height: 820 } })
  const problems: string[] = []
  page.on('console', (m) => m.type() === 'error' && problems.push(m.text()))
  page.on('pageerror', (e) => problems.push(e.message))
  page.on('response', (r) => r.status() >= 400 && problems.push(`HTTP ${r.status()} ${r.url()}`))
  await page.goto(served.uiUrl)
  await page.getByTestId('version').waitFor()
  return {
    data,
    served,
    browser,
    page,
    problems,
    ports,
    close: async () => {
      await browser.close()
      await served.stop()
      data.cleanup()
    }
  }
}
