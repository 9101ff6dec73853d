// End to end (issue 4): a bootstrap configuration made in the UI's form is delivered to a node-coap
// device by Bootstrap-Request, and the run shows with its steps; the JSON view validates as you type.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { join } from 'node:path'
import { NodeCoapDevice } from '../helpers/coap-device'
import { openWorkbenchPage, SHOTS, type WorkbenchPage } from '../helpers/workbench-page'

let wb: WorkbenchPage
let page: WorkbenchPage['page']
let bsPort = 0

beforeAll(async () => {
  wb = await openWorkbenchPage()
  page = wb.page
  bsPort = wb.ports['Bootstrap Server'] as number
})
afterAll(() => wb?.close())

describe('Bootstrap view', () => {
  it('issue 12 item 12: a new configuration starts empty, and a placeholder URI is a problem that blocks Save', async () => {
    await page.getByRole('link', { name: 'Bootstrap', exact: true }).click()
    await page.getByTestId('cfg-new').click()
    expect(await page.getByTestId('cfg-endpoint').inputValue()).toBe('')
    expect(await page.getByTestId('cfg-uri').inputValue()).toBe('')
    await expect.poll(() => page.getByTestId('cfg-problems').textContent()).toContain('the server URI is empty')
    expect(await page.getByTestId('cfg-save').isDisabled()).toBe(true)
    await page.getByTestId('cfg-endpoint').fill('*')
    await page.getByTestId('cfg-uri').fill('coap://<server-host>:5683')
    await expect.poll(() => page.getByTestId('cfg-problems').textContent()).toContain('placeholder')
    expect(await page.getByTestId('cfg-save').isDisabled()).toBe(true)
    await page.getByTestId('cfg-uri').fill('coaps://lwm2m.example.com')
    await expect.poll(() => page.getByTestId('cfg-warnings').textContent()).toContain('does not serve it yet')
    await expect.poll(() => page.getByTestId('cfg-problems').count()).toBe(0)
    await page.getByRole('button', { name: 'Cancel' }).click()
  })

  it('the JSON view names what breaks the schema; a fixed configuration saves', async () => {
    await page.getByTestId('cfg-new').click()
    await page.getByTestId('cfg-endpoint').fill('bs-e2e')
    await page.getByRole('tab', { name: 'JSON' }).click()
    const json = page.getByTestId('cfg-json')
    const text = (await json.inputValue()).replace('"lifetime": 300', '"lifetime": "soon"')
    await json.fill(text)
    await expect.poll(() => page.getByTestId('cfg-issues').textContent()).toContain('Server account /1/0, lifetime')
    expect(await page.getByTestId('cfg-save').isDisabled()).toBe(true)
    await json.fill(text.replace('"lifetime": "soon"', '"lifetime": 600').replace('"uri": ""', '"uri": "coap://127.0.0.1:5683"'))
    await expect.poll(() => page.getByTestId('cfg-issues').count()).toBe(0)
    await expect.poll(() => page.getByTestId('cfg-problems').count()).toBe(0)
    await page.getByRole('tab', { name: 'Form' }).click()
    await page.screenshot({ path: join(SHOTS, 'bootstrap-editor.png') })
    await page.getByTestId('cfg-save').click()
    await expect.poll(() => page.getByTestId('cfg-table').textContent()).toContain('bs-e2e')
  })

  it('a device that asks is bootstrapped, and the run shows its steps', async () => {
    const device = await NodeCoapDevice.start()
    expect((await device.request(bsPort, 'POST', '/bs', 'ep=bs-e2e')).code).toBe('2.04')
    await expect.poll(() => page.getByTestId('bs-runs').textContent(), { timeout: 15_000 }).toContain('success')
    await page.getByTestId('bs-runs').getByRole('button').first().click()
    const runText = await page.getByTestId('bs-runs').textContent()
    expect(runText).toContain('Bootstrap-Write')
    expect(runText).toContain('Bootstrap-Finish')
    // Item 14: which configuration matched, each value written, the instance ids.
    const record = await page.getByTestId('bs-run-record').textContent()
    expect(record).toContain('Configuration: bs-e2e')
    expect(record).toContain('/0/1/0')
    expect(record).toContain('coap://127.0.0.1:5683')
    expect(device.log.map((l) => l.method + ' ' + l.url)).toContain('POST /bs')
    await page.screenshot({ path: join(SHOTS, 'bootstrap-runs.png') })
    await device.close()
  })

  it('raised no CSP violation or script error', () => {
    expect(wb.problems).toEqual([])
  })
})
