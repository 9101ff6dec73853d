// End to end (issue 14 "done when"): `lwm2m-wb serve --demo 5` shows five live simulated devices in
// the Devices view, and an Observe on a demo sensor gets notifications because its value changes
// by itself (no pmax: the device notifies only on a change).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { join } from 'node:path'
import { openWorkbenchPage, SHOTS, type WorkbenchPage } from '../helpers/workbench-page'

let wb: WorkbenchPage
let page: WorkbenchPage['page']

beforeAll(async () => {
  wb = await openWorkbenchPage(['--demo', '5'])
  page = wb.page
})
afterAll(() => wb?.close())

describe('serve --demo 5', () => {
  it('the Devices view lists the five demo devices (four sensors and the tracker)', async () => {
    await page.getByRole('link', { name: 'Devices' }).click()
    for (const name of ['demo-0', 'demo-1', 'demo-2', 'demo-3', 'demo-tracker']) {
      await expect.poll(() => page.getByTestId('device-table').textContent(), { timeout: 15_000 }).toContain(name)
    }
    await page.screenshot({ path: join(SHOTS, 'demo-devices.png') })
  })

  it('a demo sensor\'s temperature changes by itself: an Observe without pmax gets notifications', async () => {
    await page.getByText('demo-0', { exact: true }).click()
    await page.getByTestId('object-tree').waitFor()
    await page.locator('[data-path="/3303/0/5700"]').click()
    await page.getByTestId('attr-pmin').fill('1')
    await page.getByTestId('op-observe').click()
    await expect.poll(() => page.getByTestId('op-result').textContent()).toContain('2.05')
    // The sensor recomputes every 10 s (profile "sensor"): a notification is a change.
    await expect.poll(() => page.getByTestId('observation-count').textContent(), { timeout: 30_000 }).not.toBe('0')
    await page.screenshot({ path: join(SHOTS, 'demo-observe.png') })
  }, 45_000)

  it('raised no CSP violation or script error', () => {
    expect(wb.problems).toEqual([])
  })
})
