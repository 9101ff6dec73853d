// SPDX-License-Identifier: Apache-2.0
// Issue 16 item 6 in Chromium: the Packets view shows the live capture of `serve --demo 3`, filters
// it (errors point at the column), opens a frame whose field tree and hex view mark each other's
// bytes; the device page's message log links into it; an uploaded capture of 300 000 frames scrolls.
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CaptureFileReader } from '../../src-main/core/inspect/capture-file-reader'
import { pcapngHeader, pcapngPacket } from '../../src-main/core/inspect/capture-file-writer'
import { openWorkbenchPage, SHOTS, type WorkbenchPage } from '../helpers/workbench-page'
import { coap, c, GET } from '../core/inspect/inspect-fixtures'

let wb: WorkbenchPage
let page: WorkbenchPage['page']

beforeAll(async () => {
  wb = await openWorkbenchPage(['--demo', '3'])
  page = wb.page
})
afterAll(() => wb?.close())

describe('Packets view', () => {
  it('lists the demo devices\' live traffic, filters it, and opens a Register with its fields and bytes', async () => {
    await page.getByRole('link', { name: 'Packets' }).click()
    await expect.poll(async () => Number((await page.getByTestId('packet-count').textContent())?.split(' ')[0]?.replace(/\D/g, '')), { timeout: 15_000 }).toBeGreaterThan(3)
    await page.getByTestId('packet-filter').locator('input').fill('op=register && code=POST')
    await expect.poll(() => page.getByTestId('packet-table').textContent(), { timeout: 10_000 }).toContain('Register')
    await page.getByRole('grid', { name: 'Captured frames' }).getByRole('row').first().click()
    const tree = page.getByTestId('field-tree')
    await expect.poll(() => tree.textContent()).toContain('Operation: Register')
    await tree.getByRole('button', { name: /^Endpoint: demo-/ }).click()
    const on = page.getByTestId('hex-view').locator('.hex__b--on')
    await expect.poll(() => on.count()).toBeGreaterThan(0)
    // A byte picked in the hex view marks the field holding it: byte 1 is the CoAP code.
    await page.getByTestId('hex-view').locator('.hex__bytes .hex__b').nth(1).click()
    await expect.poll(() => tree.locator('.ftree__field--mark').textContent()).toContain('Code: POST')
    await page.screenshot({ path: join(SHOTS, 'packets-register.png') })
  })

  it('a filter error points at its column', async () => {
    await page.getByTestId('packet-filter').locator('input').fill('op=reed')
    await expect.poll(() => page.getByTestId('filter-error').textContent()).toContain('column 4: unknown operation "reed"')
    await page.getByTestId('packet-filter').locator('input').fill('')
  })

  it('the device page\'s message log opens the device\'s frames in Packets', async () => {
    await page.getByRole('link', { name: 'Devices' }).click()
    await page.getByTestId('device-table').getByText('demo-0', { exact: true }).click()
    const log = page.getByTestId('device-messages')
    await expect.poll(() => log.textContent(), { timeout: 10_000 }).toContain('Register')
    await page.screenshot({ path: join(SHOTS, 'device-messages.png') })
    await page.getByTestId('open-in-packets').click()
    await expect.poll(() => page.getByTestId('packet-filter').locator('input').inputValue()).toBe('ep="demo-0"')
    await expect.poll(() => page.getByTestId('packet-table').textContent()).toContain('demo-0')
  })

  it('opens a pcapng file picked in the browser and saves the filtered capture as pcapng', async () => {
    const file = join(wb.data.path, 'picked.pcapng')
    writeFileSync(file, Buffer.concat([...pcapngHeader(), pcapngPacket({ at: 1_800_000_000_000, srcAddress: '10.9.0.1', srcPort: 5683, dstAddress: '10.9.0.2', dstPort: 40000, payload: coap(GET, { path: '/5/0/3', token: [1], mid: 1 }) })]))
    await page.getByRole('link', { name: 'Packets' }).click()
    await page.getByTestId('import-file').setInputFiles(file)
    await expect.poll(() => page.getByTestId('file-note').textContent()).toContain('picked.pcapng: 1 frames from 1 packets')
    await page.getByTestId('packet-filter').locator('input').fill('path=/5/0/3')
    await expect.poll(() => page.getByTestId('packet-table').textContent()).toContain('Read /5/0/3 Firmware Update › State')
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export').click()])
    const saved = join(wb.data.path, 'saved.pcapng')
    await download.saveAs(saved)
    // The filter applies to the file: only the one matching frame is in it.
    let packets = 0
    const reader = new CaptureFileReader(() => packets++)
    reader.push(readFileSync(saved))
    expect(reader.finish()).toBeNull()
    expect(packets).toBe(1)
  })

  it('an uploaded capture of 300 000 frames scrolls to its middle and end', async () => {
    // 10 ms apart: a device's Message IDs come round again only after EXCHANGE_LIFETIME (RFC 7252 §4.8.2).
    const parts: Uint8Array[] = [...pcapngHeader()]
    for (let k = 0; k < 150_000; k++) {
      const dev = `10.1.${(k >> 8) & 255}.${k & 255}`
      parts.push(pcapngPacket({ at: 1_800_000_000_000 + k * 10, srcAddress: '10.0.0.1', srcPort: 5683, dstAddress: dev, dstPort: 40000, payload: coap(GET, { path: '/3/0/9', token: [k & 255, k >> 8], mid: k & 0xffff }) }))
      parts.push(pcapngPacket({ at: 1_800_000_000_000 + k * 10 + 3, srcAddress: dev, srcPort: 40000, dstAddress: '10.0.0.1', dstPort: 5683, payload: coap(c(2, 5), { token: [k & 255, k >> 8], mid: k & 0xffff, cf: 0, payload: String(k % 100) }) }))
    }
    const r = await fetch(`${wb.served.baseUrl}capture/import`, { method: 'POST', body: Buffer.concat(parts), headers: { Authorization: `Bearer ${wb.served.token}` } })
    expect(((await r.json()) as { frames: number }).frames).toBe(300_000)
    await page.getByTestId('packet-filter').locator('input').fill('')
    await page.getByRole('link', { name: 'Packets' }).click()
    await page.getByTestId('packet-filter').locator('input').fill('code=2.05')
    await expect.poll(async () => Number((await page.getByTestId('packet-count').textContent())?.split(' of ')[0]?.replace(/\D/g, '')), { timeout: 20_000 }).toBeGreaterThanOrEqual(150_000)
    const grid = page.getByRole('grid', { name: 'Captured frames' })
    await grid.evaluate((el) => (el.scrollTop = el.scrollHeight / 2))
    await expect.poll(() => grid.textContent(), { timeout: 10_000 }).toMatch(/Read \/3\/0\/9 Device › Battery Level 2\.05/)
    await grid.evaluate((el) => (el.scrollTop = el.scrollHeight))
    await expect.poll(() => grid.textContent(), { timeout: 10_000 }).not.toContain('…')
    await page.screenshot({ path: join(SHOTS, 'packets-large.png') })
  }, 60_000)

  it('raised no CSP violation or script error', () => {
    expect(wb.problems).toEqual([])
  })
})
