// SPDX-License-Identifier: Apache-2.0
// End to end (issue 18): Chromium writes a smart card from the Cards view and reads it back,
// through `lwm2m-wb serve`, real pcscd with the vsmartcard-vpcd reader and the virtual UICC.
// LwM2M Core App. G letters are 1.1.1's, unverified for 1.2.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { join } from 'node:path'
import { decodeCardFile } from '../../src-main/core/lwm2m/bootstrap/card-file'
import { runCliAsync } from '../helpers/cli'
import { startPcscd, type Pcscd } from '../helpers/pcscd'
import { VirtualCard } from '../helpers/virtual-card'
import { openWorkbenchPage, SHOTS, type WorkbenchPage } from '../helpers/workbench-page'

let pcscd: Pcscd
let card: VirtualCard
let wb: WorkbenchPage

beforeAll(async () => {
  pcscd = await startPcscd()
  card = await VirtualCard.start({ t0: true })
  await card.insert()
  wb = await openWorkbenchPage()
  const config = {
    endpoint: 'card-e2e',
    discoverFirst: false,
    deletePaths: [],
    security: [{ instanceId: 0, uri: 'coap://127.0.0.1:5683', bootstrapServer: false, securityMode: 3, shortServerId: 42 }],
    servers: [{ instanceId: 0, shortServerId: 42, lifetime: 600, notificationStoring: false, binding: 'U' }],
    contentFormat: 'auto',
    allowPack: true
  }
  const put = await runCliAsync(['call', 'bootstrap.configs.put', JSON.stringify({ config }), '--data-dir', wb.data.path])
  expect(put.status, put.stderr).toBe(0)
}, 120_000)

afterAll(async () => {
  await wb?.close()
  await card?.stop()
  await pcscd?.stop()
})

describe('Cards view', () => {
  it('lists the reader with the card\'s ATR, writes the stored configuration with the ADM key and reads it back', async () => {
    const page = wb.page
    await page.getByRole('link', { name: 'Cards', exact: true }).click()
    await expect.poll(() => page.getByTestId('card-readers').textContent(), { timeout: 15_000 }).toContain('ATR 3b021450')
    // A wrong key is refused with the tries left, and nothing is written.
    await page.getByTestId('card-adm').fill('87654321')
    await page.getByTestId('card-write').click()
    await expect.poll(() => page.getByTestId('card-message').textContent(), { timeout: 20_000 }).toContain('2 tries left')
    expect((await card.state()).bootstrapFile.every((b) => b === 0xff)).toBe(true)

    await page.getByTestId('card-adm').fill('12345678')
    await page.getByTestId('card-write').click()
    await expect.poll(() => page.getByTestId('card-message').textContent(), { timeout: 30_000 }).toContain('Written and verified')
    await expect.poll(() => page.getByTestId('card-diff-count').textContent(), { timeout: 15_000 }).toContain('same as "card-e2e"')
    const table = await page.getByTestId('card-records-table').textContent()
    expect(table).toContain('/1/0/1')
    expect(table).toContain('600')
    expect(decodeCardFile((await card.state()).bootstrapFile).violations).toEqual([])
    expect(await page.getByTestId('card-records').textContent()).toContain('written')
    await page.screenshot({ path: join(SHOTS, 'cards.png'), fullPage: true })
    await page.getByRole('tab', { name: /APDU log/ }).click()
    const log = await page.getByTestId('card-apdu-log').textContent()
    expect(log).toContain('SELECT PKCS#15 application by AID')
    expect(log).toContain('normal ending')
    expect(log).toContain('UPDATE BINARY header, last')
    // VERIFY and UPDATE BINARY data masked: the key's ASCII never shows.
    expect(log).toMatch(/0[0-3]20000a08\*{16}/)
    expect(log).not.toContain('3132333435363738')
    // An APDU typed by hand joins the log with its meaning.
    await page.getByTestId('card-apdu-input').fill('00A4080402 2FE2 00')
    await page.getByTestId('card-apdu-send').click()
    await expect.poll(() => page.getByTestId('card-apdu-log').textContent()).toContain('typed by hand')
    await page.screenshot({ path: join(SHOTS, 'cards-apdu-log.png'), fullPage: true })
    expect(wb.problems).toEqual([])
  })

  it('a card whose DODF marks the LwM2M object private asks for the PIN, and reads with it', async () => {
    const page = wb.page
    const bytes = (await card.state()).bootstrapFile
    await card.stop()
    await expect.poll(() => page.getByTestId('card-readers').textContent(), { timeout: 15_000 }).not.toContain('ATR 3b021450')
    card = await VirtualCard.start({ private: true, bootstrap: bytes })
    await card.insert()
    await expect.poll(() => page.getByTestId('card-readers').textContent(), { timeout: 15_000 }).toContain('ATR 3b800181')
    await page.getByTestId('card-read').click()
    await expect.poll(() => page.getByTestId('card-message').textContent(), { timeout: 15_000 }).toContain('PIN')
    await page.getByTestId('card-pin').fill('0000')
    await page.getByTestId('card-read').click()
    await expect.poll(() => page.getByTestId('card-diff-count').textContent(), { timeout: 15_000 }).toContain('same as "card-e2e"')
    expect(await page.getByTestId('card-message').count()).toBe(0)
  })
})
