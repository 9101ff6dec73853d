// End to end (issue 13, the device page): key facts above the fold at 1366×768, confirmations for
// dangerous actions, a silent device's request with elapsed time, state and Cancel and a plain
// failure, values with name/unit/time, Discover beside the tree, attributes reset, tree keys,
// observations listed by the server (kept over a reload), named plot series, ended registration.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { join } from 'node:path'
import { runCliAsync } from '../helpers/cli'
import { NodeCoapDevice } from '../helpers/coap-device'
import { openWorkbenchPage, SHOTS, type WorkbenchPage } from '../helpers/workbench-page'

let wb: WorkbenchPage
let page: WorkbenchPage['page']
let dev: NodeCoapDevice
let coapPort = 0

const node = (path: string) => page.locator(`[data-path="${path}"]`)
const inspector = () => page.getByTestId('node-inspector')

async function openDevice(): Promise<void> {
  await page.getByRole('link', { name: 'Devices' }).click()
  await page.getByText('dev1', { exact: true }).click()
  await page.getByTestId('object-tree').waitFor()
}

beforeAll(async () => {
  wb = await openWorkbenchPage()
  page = wb.page
  await page.setViewportSize({ width: 1366, height: 768 })
  coapPort = wb.ports['LwM2M Server'] as number
  dev = await NodeCoapDevice.start()
  expect((await dev.register(coapPort, 'dev1')).code).toBe('2.01')
  await openDevice()
})
afterAll(async () => {
  await dev?.close()
  await wb?.close()
})

describe('Device page', () => {
  it('shows state, address, version, binding, lifetime with time left and queue above the fold', async () => {
    const facts = page.getByTestId('device-facts')
    await expect.poll(() => facts.textContent()).toContain(`127.0.0.1:${dev.port}`)
    const text = (await facts.textContent()) ?? ''
    expect(text).toContain('registered')
    expect(text).toContain('1.1')
    expect(text).toMatch(/Binding\s*U/)
    expect(text).toMatch(/120 s · ends in [12] min \d+ s/)
    expect(text).toMatch(/Queue mode\s*off/)
    const box = await facts.boundingBox()
    expect(box && box.y + box.height).toBeLessThan(768)
    await page.screenshot({ path: join(SHOTS, 'device-page.png') })
  })

  it('opens the Composite panel empty', async () => {
    await page.getByTestId('composite-panel').locator('summary').click()
    expect(await page.getByRole('textbox', { name: 'Paths for composite operations' }).inputValue()).toBe('')
    expect(await page.getByRole('textbox', { name: 'Records for Write-Composite' }).inputValue()).toBe('')
    await expect.poll(() => page.getByTestId('op-write-composite').isDisabled()).toBe(true)
    await page.getByTestId('composite-panel').locator('summary').click()
  })

  it('in the tree, arrows move and Enter selects', async () => {
    const first = page.getByRole('treeitem').first()
    await first.focus()
    await page.keyboard.press('ArrowDown')
    await page.keyboard.press('Enter')
    await expect.poll(() => inspector().getByRole('heading').first().textContent()).toContain('/1/0')
    await page.keyboard.press('ArrowDown')
    await page.keyboard.press('Enter')
    await expect.poll(() => inspector().getByRole('heading').first().textContent()).toContain('/1/0/0')
  })

  it('a Read shows each value with its name, unit and the time it was read; focus stays on Read', async () => {
    await node('/3/0/9').click()
    const read = page.getByRole('button', { name: 'Read', exact: true })
    await read.focus()
    await page.keyboard.press('Enter')
    await expect.poll(() => page.getByTestId('op-result').textContent()).toContain('87')
    const result = (await page.getByTestId('op-result').textContent()) ?? ''
    expect(result).toContain('Battery Level')
    expect(result).toContain('/100')
    expect(result).toMatch(/\d\d:\d\d:\d\d/)
    await expect.poll(() => node('/3/0/9').textContent()).toMatch(/87 \/100\s*\d\d:\d\d:\d\d/)
    expect(await read.evaluate((el) => el === document.activeElement)).toBe(true)
  })

  it('attribute fields reset when another node is selected', async () => {
    await node('/3303/0/5700').click()
    await page.getByRole('textbox', { name: 'attribute pmin' }).fill('5')
    await node('/3/0/9').click()
    await expect.poll(() => page.getByRole('textbox', { name: 'attribute pmin' }).inputValue()).toBe('')
  })

  it('Discover results appear beside the tree without overwriting values', async () => {
    await node('/3/0').click()
    await page.getByTestId('op-discover').click()
    const found = page.getByTestId('discover-result')
    await expect.poll(() => found.textContent()).toContain('/3/0/9')
    expect(await node('/3/0/9').textContent()).toContain('87')
  })

  it('Execute on Reboot and Delete instance ask first, naming device and path; "don\'t ask again" lasts for the device', async () => {
    await node('/3/0/4').click()
    await page.getByTestId('op-execute').click()
    const dialog = page.getByRole('dialog', { name: 'Reboot dev1 (/3/0/4)?' })
    await dialog.waitFor()
    expect(await dialog.textContent()).toContain('restarts')
    await page.screenshot({ path: join(SHOTS, 'device-confirm.png') })
    await dialog.getByRole('button', { name: 'Cancel' }).click()
    await dialog.waitFor({ state: 'hidden' })
    expect(dev.log.filter((l) => l.method === 'POST' && l.url.startsWith('/3/0/4'))).toHaveLength(0)

    await node('/3303/0').click()
    await page.getByRole('button', { name: 'Delete instance' }).click()
    const del = page.getByRole('dialog', { name: 'Delete instance dev1 (/3303/0)?' })
    await del.waitFor()
    await page.keyboard.press('Escape')
    await del.waitFor({ state: 'hidden' })
    expect(dev.log.filter((l) => l.method === 'DELETE')).toHaveLength(0)

    await node('/3/0/4').click()
    await page.getByTestId('op-execute').click()
    await dialog.getByText(/Don't ask again for dev1/).click()
    expect(await dialog.getByRole('checkbox', { name: /Don't ask again for dev1/ }).isChecked()).toBe(true)
    await dialog.getByRole('button', { name: 'Reboot' }).click()
    await expect.poll(() => dev.log.filter((l) => l.method === 'POST' && l.url.startsWith('/3/0/4')).length).toBe(1)
    // The device has it; the answer may still be on its way to the page (its Cancel button shows
    // until then, and also names "Execute"), so wait for that, as a person would.
    await page.getByRole('button', { name: 'Cancel Execute /3/0/4' }).waitFor({ state: 'hidden' })
    await page.getByTestId('op-execute').click()
    await expect.poll(() => dev.log.filter((l) => l.method === 'POST' && l.url.startsWith('/3/0/4')).length).toBe(2)
    expect(await dialog.isVisible()).toBe(false)
  })

  it('a request to a silent device shows state, elapsed time and Cancel, then fails in plain words', async () => {
    const set = await runCliAsync(['call', 'settings.set', JSON.stringify({ key: 'server.requestTimeoutSeconds', value: 3 }), '--data-dir', wb.data.path])
    expect(set.status).toBe(0)
    dev.silent.add('/3/0/1')
    await node('/3/0/1').click()
    await page.getByRole('button', { name: 'Read', exact: true }).click()
    const cancel = page.getByRole('button', { name: 'Cancel Read /3/0/1' })
    await cancel.waitFor()
    await expect.poll(() => page.getByTestId('pending-state').textContent()).toContain('acknowledged')
    await expect.poll(() => page.getByTestId('pending-elapsed').textContent(), { timeout: 3000 }).toMatch(/^[12] s$/)
    await page.screenshot({ path: join(SHOTS, 'device-waiting.png') })
    const failure = page.getByTestId('op-failure')
    await failure.waitFor({ timeout: 8000 })
    const text = (await failure.textContent()) ?? ''
    expect(text).toContain('The device acknowledged the request but sent no answer after 3 s.')
    expect(text).not.toMatch(/devices\.\w+/)
    await page.screenshot({ path: join(SHOTS, 'device-failure.png') })

    await page.getByRole('button', { name: 'Read', exact: true }).click()
    await cancel.click()
    await expect.poll(() => page.getByTestId('cancel-note').textContent()).toContain('the device may still carry it out')
    await expect.poll(() => page.getByTestId('timeline').textContent()).toContain('Cancelled')
    await expect.poll(() => page.getByTestId('op-failure').textContent()).not.toMatch(/devices\.\w+/)
    dev.silent.delete('/3/0/1')
    expect(dev.answerLate('/3/0/1')).toBe(2)
    await expect.poll(() => page.getByTestId('timeline').textContent()).toContain('Late answer')
  })

  it('observations get their own list from the server, with named series for several resources; a reload keeps it', async () => {
    await node('/3303/0/5700').click()
    await page.getByRole('textbox', { name: 'attribute pmin' }).fill('1')
    await page.getByTestId('op-observe').click()
    await expect.poll(() => page.getByTestId('op-result').textContent()).toContain('21.5')
    await node('/3/0/9').click()
    await page.getByTestId('op-observe').click()
    await expect.poll(() => page.getByTestId('observation-row').count()).toBe(2)
    for (const v of [22.1, 23.4, 22.8]) {
      dev.setValue('/3303/0/5700', v)
      dev.setValue('/3/0/9', Math.round(v * 3))
      await page.waitForTimeout(150)
    }
    const row = page.getByTestId('observation-row').filter({ hasText: '/3303/0/5700' })
    await expect.poll(() => row.getByTestId('observation-count').textContent()).toBe('3')
    expect(await row.textContent()).toContain('22.8')
    const legend = (await page.locator('.u-legend').textContent()) ?? ''
    expect(legend).toContain('Sensor Value (/3303/0/5700)')
    expect(legend).toContain('Battery Level (/3/0/9) /100')
    await page.getByTestId('observations').scrollIntoViewIfNeeded()
    await page.screenshot({ path: join(SHOTS, 'device-observations.png') })

    await page.reload()
    await page.getByTestId('object-tree').waitFor()
    await expect.poll(() => page.getByTestId('observation-row').count()).toBe(2)
    await page.getByRole('button', { name: 'Cancel observation of /3/0/9' }).click()
    await expect.poll(() => page.getByTestId('observation-row').count()).toBe(1)
    // A 1.1 client gets pmin by Write-Attributes first; it stays on the device unless Cancel removes it.
    await page.getByTestId('observation-row').getByText(/also remove pmin/).click()
    expect(await page.getByRole('checkbox', { name: /also remove the attributes pmin/ }).isChecked()).toBe(true)
    await page.getByRole('button', { name: 'Cancel observation of /3303/0/5700' }).click()
    await expect.poll(() => dev.attributes.get('/3303/0/5700')?.has('pmin')).toBe(false)
    await expect.poll(() => page.getByTestId('observation-row').count()).toBe(0)
  })

  it('a registration that ends is said so, never green, and keeps its timeline', async () => {
    expect((await dev.request(coapPort, 'DELETE', dev.location, '')).code).toBe('2.02')
    await page.getByTestId('registration-ended').waitFor()
    const state = page.getByTestId('device-state')
    expect(await state.textContent()).toContain('de-registered')
    expect(await state.getAttribute('class')).not.toContain('live')
    const timeline = (await page.getByTestId('timeline').textContent()) ?? ''
    expect(timeline).toContain('De-registered')
    expect(timeline).toContain('Registered')
    await page.screenshot({ path: join(SHOTS, 'device-ended.png') })
  })

  it('raised no CSP violation or script error', () => {
    expect(wb.problems).toEqual([])
  })
})
