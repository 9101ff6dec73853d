// Every view in light and dark at 1366×768 and 1920×1080, saved to test-results/screenshots/
// (git-ignored) for a person to look at; the pass also fails on any CSP violation or script error.
import { mkdirSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { ROOT } from '../helpers/cli'
import { NodeCoapDevice } from '../helpers/coap-device'
import { openWorkbenchPage, type WorkbenchPage } from '../helpers/workbench-page'

const OUT = join(ROOT, 'test-results', 'screenshots')
let wb: WorkbenchPage
let page: WorkbenchPage['page']
const devices: NodeCoapDevice[] = []

beforeAll(async () => {
  mkdirSync(OUT, { recursive: true })
  wb = await openWorkbenchPage()
  page = wb.page
  // Something to look at: a few devices and one bootstrap run.
  for (let i = 0; i < 3; i++) {
    const d = await NodeCoapDevice.start()
    await d.register(wb.ports['LwM2M Server'] as number, `field-sensor-${i}`)
    devices.push(d)
  }
})
afterAll(async () => {
  for (const d of devices) await d.close()
  await wb?.close()
})

const VIEWS: { name: string; open: () => Promise<unknown> }[] = [
  {
    name: 'overview',
    open: async () => {
      await page.getByRole('link', { name: 'Overview' }).click()
      await expect.poll(() => page.getByTestId('activity').textContent()).toContain('field-sensor-2')
    }
  },
  { name: 'devices', open: () => page.getByRole('link', { name: 'Devices' }).click().then(() => page.getByTestId('device-table').waitFor()) },
  { name: 'device', open: () => page.getByRole('grid', { name: 'Registered devices' }).getByRole('row').first().click().then(() => page.getByTestId('device-endpoint').waitFor()) },
  { name: 'bootstrap', open: () => page.getByRole('link', { name: 'Bootstrap', exact: true }).click().then(() => page.getByTestId('cfg-new').waitFor()) },
  { name: 'bootstrap-new', open: () => page.getByRole('button', { name: 'New' }).click().then(() => page.getByTestId('config-editor').waitFor()) },
  { name: 'models', open: () => page.getByRole('link', { name: 'Models' }).click().then(() => page.getByTestId('model-search').fill('temperature')) },
  { name: 'settings', open: () => page.getByRole('link', { name: 'Settings' }).click() },
  { name: 'security', open: () => page.getByRole('link', { name: 'Security', exact: true }).click().then(() => page.getByTestId('sec-new').waitFor()) },
  {
    // The first pass starts a small fleet from the view; later passes find it running.
    name: 'simulator',
    open: async () => {
      await page.getByRole('link', { name: 'Simulator' }).click()
      await page.getByTestId('sim-start-form').waitFor()
      if ((await page.getByTestId('sim-fleet').count()) === 0) {
        await page.getByTestId('sim-count').locator('input').fill('4')
        await page.getByTestId('sim-start').click()
      }
      await expect.poll(() => page.getByTestId('sim-counts').locator('[data-state="registered"] strong').textContent(), { timeout: 15_000 }).toBe('4')
      await page.getByTestId('sim-endpoint-chip').first().click()
      await page.getByTestId('sim-values').waitFor()
    }
  },
  { name: 'simulator-start', open: () => page.getByTestId('sim-device').getByRole('button', { name: 'Close the device' }).click().then(() => page.getByTestId('sim-device-empty').waitFor()) },
  {
    name: 'packets',
    open: async () => {
      await page.getByRole('link', { name: 'Packets' }).click()
      await page.getByRole('grid', { name: 'Captured frames' }).getByRole('row').first().click()
      await page.getByTestId('field-tree').getByRole('button', { name: /^Uri-Path/ }).first().click()
    }
  }
]

describe('screenshots of every view', () => {
  for (const theme of ['light', 'dark'] as const)
    for (const [w, h] of [[1366, 768], [1920, 1080]] as const)
      it(`${theme} ${w}×${h}`, async () => {
        await page.emulateMedia({ colorScheme: theme })
        await page.setViewportSize({ width: w, height: h })
        for (const v of VIEWS) {
          await v.open()
          await page.waitForTimeout(300) // let the list window and transitions settle
          await page.screenshot({ path: join(OUT, `${v.name}-${theme}-${w}x${h}.png`) })
        }
      })

  it('raised no CSP violation or script error', () => {
    expect(wb.problems).toEqual([])
  })
})
