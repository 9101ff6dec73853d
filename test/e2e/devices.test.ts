// End to end (issue 4): devices on node-coap register with `lwm2m-wb serve`; in Chromium a
// registered client appears, a Read shows values, and an Observe plots notifications.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { join } from 'node:path'
import { NodeCoapDevice } from '../helpers/coap-device'
import { openWorkbenchPage, SHOTS, type WorkbenchPage } from '../helpers/workbench-page'

let wb: WorkbenchPage
let page: WorkbenchPage['page']
const devices: NodeCoapDevice[] = []
let coapPort = 0

beforeAll(async () => {
  wb = await openWorkbenchPage()
  page = wb.page
  coapPort = wb.ports['LwM2M Server'] as number
})
afterAll(async () => {
  for (const d of devices) await d.close()
  await wb?.close()
})

describe('Devices view', () => {
  it('with no device, says how to point one at the server', async () => {
    await page.getByRole('link', { name: 'Devices' }).click()
    await expect.poll(() => page.getByTestId('devices-empty').textContent()).toContain(`${coapPort}`)
  })

  it('a client that registers appears live, with version, binding and address', async () => {
    for (let i = 0; i < 3; i++) {
      const d = await NodeCoapDevice.start()
      expect((await d.register(coapPort, `sensor-${i}`)).code).toBe('2.01')
      devices.push(d)
    }
    await expect.poll(() => page.getByTestId('device-table').textContent()).toContain('sensor-2')
    const text = await page.getByTestId('device-table').textContent()
    expect(text).toContain(`127.0.0.1:${devices[0]?.port}`)
    expect(text).toContain('1.1')
    await page.screenshot({ path: join(SHOTS, 'devices.png') })
  })

  it('a Read shows the device\'s values in the result and the tree', async () => {
    await page.getByText('sensor-0', { exact: true }).click()
    await page.getByTestId('object-tree').waitFor()
    await page.locator('[data-path="/3/0/9"]').click()
    await page.getByTestId('op-read').click()
    await expect.poll(() => page.getByTestId('op-result').textContent()).toContain('2.05')
    expect(await page.getByTestId('op-result').textContent()).toContain('87')
    await expect.poll(() => page.locator('[data-path="/3/0/9"]').textContent()).toContain('87')
  })

  it('Read-Composite and Write-Composite from the Composite panel (C §6.3.2, §6.3.4)', async () => {
    await page.getByTestId('composite-panel').locator('summary').click()
    await page.getByRole('textbox', { name: 'Paths for composite operations' }).fill('/3/0/0\n/3/0/9')
    await page.getByTestId('op-read-composite').click()
    await expect.poll(() => page.getByTestId('composite-panel').textContent()).toContain('Acme Devices')
    expect(await page.getByTestId('composite-panel').textContent()).toContain('87')
    await page.getByRole('textbox', { name: 'Records for Write-Composite' }).fill('[{"path": "/1/0/1", "type": "integer", "value": 600}]')
    await page.getByTestId('op-write-composite').click()
    await expect.poll(() => devices[0]?.values.get('/1/0/1')).toBe(600)
  })

  it('an Observe with attributes plots the notifications', async () => {
    await page.locator('[data-path="/3303/0/5700"]').click()
    await page.getByTestId('attr-pmin').fill('1')
    await page.getByTestId('op-observe').click()
    await expect.poll(() => page.getByTestId('op-result').textContent()).toContain('21.5')
    for (const v of [22.1, 23.4, 22.8, 24.9, 23.3]) {
      devices[0]?.setValue('/3303/0/5700', v)
      await page.waitForTimeout(120)
    }
    await expect.poll(() => page.getByTestId('observation-count').textContent()).not.toBe('0')
    await expect.poll(() => page.locator('[data-testid="value-plot"] canvas').count()).toBeGreaterThan(0)
    expect(await page.locator('.u-legend').textContent()).toContain('/3303/0/5700')
    await page.screenshot({ path: join(SHOTS, 'device-observe.png') })
  })

  it('raised no CSP violation or script error', () => {
    expect(wb.problems).toEqual([])
  })
})
