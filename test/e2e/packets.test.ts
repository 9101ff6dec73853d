// SPDX-License-Identifier: Apache-2.0
// Issue 16 item 6 in Chromium: the Packets view shows the live capture of `serve --demo 3`, filters
// it (errors point at the column), opens a frame whose field tree and hex view mark each other's
// bytes; the device page's message log links into it; an uploaded capture of 300 000 frames scrolls.
import { readFileSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { CaptureFileReader } from '../../src-main/core/inspect/capture-file-reader'
import { pcapngHeader, pcapngPacket } from '../../src-main/core/inspect/capture-file-writer'
import { dtlsPskPcapng } from '../helpers/dtls-psk-pcapng'
import { openWorkbenchPage, SHOTS, type WorkbenchPage } from '../helpers/workbench-page'
import { coap, c, GET } from '../core/inspect/inspect-fixtures'

const KEY = '000102030405060708090a0b0c0d0e0f'
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
    await page.getByTestId('import').click()
    await page.getByTestId('import-file').setInputFiles(file)
    await page.getByTestId('import-go').click()
    await expect.poll(() => page.getByTestId('file-note').textContent()).toContain('picked.pcapng: 1 frames from 1 packets')
    // No DTLS in it: nothing to say about decryption.
    expect(await page.getByTestId('dtls-result').count()).toBe(0)
    await page.getByTestId('packet-filter').locator('input').fill('path=/5/0/3')
    await expect.poll(() => page.getByTestId('packet-table').textContent()).toContain('Read /5/0/3 Firmware Update › State')
    const [download] = await Promise.all([page.waitForEvent('download'), page.getByTestId('export').click()])
    const saved = join(wb.data.path, 'saved.pcapng')
    await download.saveAs(saved)
    await expect.poll(() => page.getByTestId('file-note').textContent()).toContain("Saved the matching frames to the browser's downloads as capture.pcapng")
    await page.screenshot({ path: join(SHOTS, 'packets-saved.png') })
    // The filter applies to the file: only the one matching frame is in it.
    let packets = 0
    const reader = new CaptureFileReader(() => packets++)
    reader.push(readFileSync(saved))
    expect(reader.finish()).toBeNull()
    expect(packets).toBe(1)
  })

  it('opens a DTLS capture with a PSK typed in the dialog and says which sessions decrypted and why the other did not', async () => {
    const file = join(wb.data.path, 'coaps.pcapng')
    writeFileSync(file, dtlsPskPcapng(['e2e-psk', 'e2e-other'], KEY))
    await page.getByRole('link', { name: 'Packets' }).click()
    await page.getByTestId('packet-filter').locator('input').fill('')
    await page.getByTestId('import').click()
    const dialog = page.getByTestId('import-dialog')
    await expect.poll(() => dialog.isVisible()).toBe(true)
    // Open waits for a file; a PSK line that is not identity:hexkey is pointed at.
    expect(await page.getByTestId('import-go').isDisabled()).toBe(true)
    await page.getByTestId('import-file').setInputFiles(file)
    await expect.poll(() => page.getByTestId('import-file-name').textContent()).toBe('coaps.pcapng')
    await page.getByTestId('import-psk').fill('e2e-psk:0001zz')
    await expect.poll(() => dialog.getByRole('alert').textContent()).toContain('Line 1 is not identity:hexkey')
    expect(await page.getByTestId('import-go').isDisabled()).toBe(true)
    await page.getByTestId('import-psk').fill(`e2e-psk:${KEY}`)
    await page.screenshot({ path: join(SHOTS, 'packets-import-dialog.png') })
    await page.getByTestId('import-go').click()
    const result = page.getByTestId('dtls-result')
    await expect.poll(() => result.textContent(), { timeout: 10_000 }).toContain('DTLS: 1 of 2 sessions decrypted')
    const ok = result.locator('[data-state="decrypted"]')
    expect(await ok.textContent()).toContain('e2e-psk')
    expect(await ok.textContent()).toContain('decrypted from the PSK')
    const closed = result.locator('[data-state="encrypted"]')
    expect(await closed.textContent()).toMatch(/e2e-other.*not decrypted: no key for this TLS_PSK_WITH_AES_128_CCM_8 session/)
    // The decrypted session's Register is named in the list; the dialog forgot the key.
    await page.getByTestId('packet-filter').locator('input').fill('(ep=e2e-psk || ep=e2e-other) && op=register && code=POST')
    await expect.poll(() => page.getByTestId('packet-count').textContent(), { timeout: 10_000 }).toMatch(/^1 of /)
    expect(await page.getByTestId('packet-table').textContent()).toMatch(/e2e-psk.*Register/)
    await page.screenshot({ path: join(SHOTS, 'packets-dtls-import.png') })
    await page.getByTestId('import').click()
    await expect.poll(() => page.getByTestId('import-psk').inputValue()).toBe('')
    await page.keyboard.press('Escape')
    await result.getByRole('button', { name: 'Close the DTLS result' }).click()
    expect(await result.count()).toBe(0)
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
