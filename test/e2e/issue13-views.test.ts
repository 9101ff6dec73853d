// End to end, issue 13 items 3, 13, 15–17, 19, 21: the Overview shows a device that just
// registered and a coap:// URI a device can use; the Devices list sorts, searches and filters by
// state on the server; Bootstrap asks before deleting, renames instead of copying, offers the
// server's real URI and masks keys in the JSON view. Controls are found by role and name.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { NodeCoapDevice } from '../helpers/coap-device'
import { runCliAsync } from '../helpers/cli'
import { openWorkbenchPage, type WorkbenchPage } from '../helpers/workbench-page'

let wb: WorkbenchPage
let page: WorkbenchPage['page']
let device: NodeCoapDevice
let coapPort = 0

beforeAll(async () => {
  wb = await openWorkbenchPage()
  page = wb.page
  coapPort = wb.ports['LwM2M Server'] as number
  device = await NodeCoapDevice.start()
})
afterAll(async () => {
  await device?.close()
  await wb?.close()
})

describe('Overview (items 15–17, 19)', () => {
  it('shows the device that just registered, linked to its page, and coap:// URIs with real addresses', async () => {
    await page.getByRole('link', { name: 'Overview' }).click()
    expect((await device.register(coapPort, 'ov-sensor')).code).toBe('2.01')
    await expect.poll(() => page.getByTestId('activity').textContent(), { timeout: 15_000 }).toContain('ov-sensor')
    await expect.poll(() => page.getByTestId('count-registered').textContent()).toContain('1')
    const uris = await page.getByTestId('listener-uri').allTextContents()
    expect(uris.some((u) => u === `coap://127.0.0.1:${coapPort}` || new RegExp(`^coap://[^/]+:${coapPort}$`).test(u))).toBe(true)
    expect(uris.join(' ')).not.toContain('0.0.0.0')
    expect(await page.getByRole('button', { name: /^Copy LwM2M Server URI/ }).count()).toBeGreaterThan(0)
    expect(await page.getByTestId('store-path').textContent()).toMatch(/workbench\.sqlite$/)
    expect(await page.getByTestId('time-zone').textContent()).toMatch(/UTC[+-]\d\d:\d\d/)
    await page.getByTestId('activity').getByRole('link', { name: 'ov-sensor' }).first().click()
    await expect.poll(() => page.getByTestId('device-endpoint').textContent()).toBe('ov-sensor')
  })
})

describe('Devices list (items 13, 21)', () => {
  it('sorts by a column header, searches by address on the server, and lists de-registered devices by state', async () => {
    for (const ep of ['zz-last', 'aa-first']) expect((await device.register(coapPort, ep)).code).toBe('2.01')
    await page.getByRole('link', { name: 'Devices' }).click()
    const table = page.getByRole('grid', { name: 'Registered devices' })
    await expect.poll(() => table.getByRole('row').count()).toBe(3)
    expect(await table.getByRole('row').first().textContent()).toContain('aa-first')
    await page.getByRole('button', { name: 'Sort by Endpoint' }).click() // the same column again: descending
    await expect.poll(() => table.getByRole('row').first().textContent()).toContain('zz-last')
    expect(await page.getByRole('columnheader', { name: 'Sort by Endpoint' }).getAttribute('aria-sort')).toBe('descending')
    await page.getByRole('textbox', { name: 'Search devices by endpoint or address' }).fill('AA-F')
    await expect.poll(() => table.getByRole('row').count()).toBe(1)
    await page.getByRole('textbox', { name: 'Search devices by endpoint or address' }).fill('')

    await runCliAsync(['call', 'devices.list', '--data-dir', wb.data.path]) // the CLI sees the same server
    const { registrationId } = JSON.parse((await runCliAsync(['call', 'devices.get', '{"endpoint":"zz-last"}', '--data-dir', wb.data.path])).stdout)
    expect((await device.request(coapPort, 'DELETE', `/rd/${registrationId}`, '')).code).toBe('2.02')
    await page.getByRole('radio', { name: 'De-registered' }).check({ force: true })
    const ended = page.getByRole('grid', { name: 'De-registered devices' })
    await expect.poll(() => ended.textContent()).toContain('de-registered')
    expect(await ended.getByRole('row').count()).toBe(1)
    expect(await ended.textContent()).toContain('zz-last')
    await page.getByRole('radio', { name: 'Registered', exact: true }).check({ force: true })
    await expect.poll(() => page.getByRole('grid', { name: 'Registered devices' }).textContent()).not.toContain('zz-last')
    // Keyboard: the grid takes focus and Enter opens the active row.
    await page.getByRole('grid', { name: 'Registered devices' }).focus()
    await page.keyboard.press('Home')
    await page.keyboard.press('Enter')
    await expect.poll(() => page.getByTestId('device-endpoint').textContent()).toBe('ov-sensor') // still sorted descending
  })
})

describe('Bootstrap configurations (items 1, 3)', () => {
  it('a new one assumes nothing, offers the real server URI, shows errors at the field in words, masks keys in JSON', async () => {
    await page.getByRole('link', { name: 'Bootstrap', exact: true }).click()
    await page.getByRole('button', { name: 'New' }).click()
    expect(await page.getByRole('textbox', { name: 'Endpoint' }).inputValue()).toBe('')
    expect(await page.getByRole('switch', { name: 'Default configuration for every unknown device' }).isChecked()).toBe(false)
    const offer = page.getByTestId('cfg-use-uri').first()
    expect(await offer.textContent()).toMatch(new RegExp(`^coap://[^/]+:${coapPort}$`))
    expect(await offer.textContent()).not.toContain('0.0.0.0')
    await offer.click()
    expect(await page.getByTestId('cfg-uri').inputValue()).toMatch(/^coap:\/\//)
    await page.getByRole('textbox', { name: 'Endpoint' }).fill('bs-one')
    await page.getByRole('tab', { name: 'JSON' }).click()
    const json = page.getByRole('textbox', { name: 'Configuration as JSON' })
    const withKey = (await json.inputValue())
      .replace('"securityMode": 3', '"securityMode": 0, "publicKeyOrIdentity": "bs-one", "identityEncoding": "text", "secretKey": "zz", "secretKeyEncoding": "hex"')
    await json.fill(withKey)
    // Errors at the account they concern, in words.
    await page.getByRole('tab', { name: 'Form' }).click()
    await expect.poll(() => page.getByTestId('cfg-problems-0-1').textContent()).toMatch(/hex/i)
    await page.getByTestId('cfg-key').fill('00112233445566778899aabbccddeeff')
    await expect.poll(() => page.getByTestId('cfg-problems').count()).toBe(0)
    await page.getByRole('tab', { name: 'JSON' }).click()
    expect(await json.inputValue()).not.toContain('00112233445566778899aabbccddeeff')
    expect(await json.inputValue()).toContain('hidden')
    await page.getByRole('tab', { name: 'Form' }).click()
    await page.getByRole('button', { name: 'Save' }).click()
    await expect.poll(() => page.getByTestId('cfg-table').textContent()).toContain('bs-one')
  })

  it('rename renames (no copy left), and delete asks first, naming the configuration', async () => {
    await page.getByRole('button', { name: 'Edit bs-one' }).click()
    await page.getByRole('textbox', { name: 'Endpoint' }).fill('bs-renamed')
    await page.getByRole('button', { name: 'Save' }).click()
    await expect.poll(() => page.getByTestId('cfg-table').textContent()).toContain('bs-renamed')
    expect(await page.getByTestId('cfg-table').textContent()).not.toContain('bs-one')
    const list = JSON.parse((await runCliAsync(['call', 'bootstrap.configs.list', '--data-dir', wb.data.path])).stdout)
    expect(list.configs.map((c: { endpoint: string; config: { security: { secretKey?: string }[] } }) => [c.endpoint, c.config.security[0]?.secretKey])).toEqual([
      ['bs-renamed', '00112233445566778899aabbccddeeff']
    ])

    await page.getByRole('button', { name: 'Delete bs-renamed' }).click()
    const dialog = page.getByRole('dialog')
    expect(await dialog.textContent()).toContain('"bs-renamed"')
    await dialog.getByRole('button', { name: 'Keep it' }).click()
    expect(await page.getByTestId('cfg-table').textContent()).toContain('bs-renamed')
    await page.getByRole('button', { name: 'Delete bs-renamed' }).click()
    await page.getByRole('dialog').getByRole('button', { name: 'Delete' }).click()
    await expect.poll(() => page.getByTestId('cfg-table').textContent()).not.toContain('bs-renamed')
  })

  it('raised no CSP violation or script error', () => {
    expect(wb.problems).toEqual([])
  })
})
