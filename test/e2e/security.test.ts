// End to end (issue 15 items 3 and 6, the UI parts): in the Security view a PSK credential typed
// with a common mistake (an ASCII password in the hex field, Leshan #407) shows the plain message
// next to the field; fixed, it is saved and listed with its key masked; the device page shows the
// device's credential; deleting it asks first and removes it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { join } from 'node:path'
import { NodeCoapDevice } from '../helpers/coap-device'
import { makePki } from '../helpers/pki'
import { openWorkbenchPage, SHOTS, type WorkbenchPage } from '../helpers/workbench-page'

const KEY = '5be0a19c77d4e2f0136a8b9cd0e1f243'
const pki = makePki('pki-e2e')
let wb: WorkbenchPage
let page: WorkbenchPage['page']
let dev: NodeCoapDevice

beforeAll(async () => {
  wb = await openWorkbenchPage()
  page = wb.page
  dev = await NodeCoapDevice.start()
  expect((await dev.register(wb.ports['LwM2M Server'] as number, 'sec-e2e')).code).toBe('2.01')
})
afterAll(async () => {
  await dev?.close()
  await wb?.close()
})

describe('Security view', () => {
  it('an ASCII password typed as the hex key is named in plain words beside the field, and Save is refused', async () => {
    await page.getByRole('link', { name: 'Security', exact: true }).click()
    await page.getByTestId('sec-new').click()
    await page.getByTestId('sec-endpoint').fill('sec-e2e')
    await page.getByTestId('sec-identity').fill('sec-e2e')
    await page.getByTestId('sec-key').fill('my-secret-password')
    await page.getByTestId('sec-key').blur()
    await expect.poll(() => page.getByTestId('sec-problem-key').textContent()).toContain('looks like text (a password?), not hex')
    // The key itself is never echoed back.
    expect(await page.getByTestId('sec-problem-key').textContent()).not.toContain('my-secret')
    await page.screenshot({ path: join(SHOTS, 'security-form-mistake.png') })
    await page.getByTestId('sec-save').click()
    expect(await page.getByTestId('sec-table').textContent()).not.toContain('sec-e2e')
  })

  it('fixed, it saves and is listed with the key masked', async () => {
    await page.getByTestId('sec-key').fill(KEY)
    const form = page.getByTestId('sec-form')
    await expect.poll(() => form.getByRole('alert').count()).toBe(0)
    await page.getByTestId('sec-save').click()
    await expect.poll(() => page.getByTestId('sec-table').textContent()).toContain('sec-e2e')
    const table = (await page.getByTestId('sec-table').textContent()) ?? ''
    expect(table).toContain('•••• (16 bytes, hidden)')
    expect(table).not.toContain(KEY)
    expect(await page.getByTestId('sec-form').count()).toBe(0)
    await page.screenshot({ path: join(SHOTS, 'security-view.png') })
  })

  it('Replace opens the form with the identity, never the stored key', async () => {
    await page.getByRole('button', { name: 'Replace sec-e2e' }).click()
    expect(await page.getByTestId('sec-identity').inputValue()).toBe('sec-e2e')
    expect(await page.getByTestId('sec-key').inputValue()).toBe('')
    expect(await page.getByTestId('sec-endpoint').isDisabled()).toBe(true)
    expect(await page.getByTestId('sec-form').textContent()).toContain('Stored keys are never shown')
    await page.getByRole('button', { name: 'Cancel' }).click()
    expect(await page.getByTestId('sec-form').count()).toBe(0)
  })

  it("the device page shows the device's credential, masked", async () => {
    await page.getByTestId('sec-table').getByRole('link', { name: 'sec-e2e' }).click()
    const panel = page.getByTestId('device-security')
    await expect.poll(() => panel.textContent(), { timeout: 10_000 }).toContain('PSK')
    expect(await panel.textContent()).toContain('•••• (16 bytes, hidden)')
    await panel.scrollIntoViewIfNeeded()
    await page.screenshot({ path: join(SHOTS, 'device-security-panel.png') })
  })

  it('a certificate pasted where the raw public key belongs is named, and switching to X.509 takes it as a pinned certificate', async () => {
    await page.getByRole('link', { name: 'Security', exact: true }).click()
    await page.getByTestId('sec-new').click()
    await page.getByTestId('sec-endpoint').fill('pki-e2e')
    await page.getByTestId('sec-mode').getByText('Raw public key').click()
    await page.getByTestId('sec-key').fill(pki.devicePem)
    await page.getByTestId('sec-key').blur()
    await expect.poll(() => page.getByTestId('sec-problem-key').textContent()).toContain('this is a certificate, not a raw public key')
    await page.getByTestId('sec-mode').getByText('X.509').click()
    await page.getByTestId('sec-certificate').fill(pki.devicePem)
    await page.getByTestId('sec-certificate').blur()
    await expect.poll(() => page.getByTestId('sec-form').getByRole('alert').count()).toBe(0)
    await page.screenshot({ path: join(SHOTS, 'security-form-x509.png') })
    await page.getByTestId('sec-save').click()
    await expect.poll(() => page.getByTestId('sec-table').textContent()).toContain('pki-e2e')
    expect(await page.getByTestId('sec-table').textContent()).toContain('pinned certificate')
  })

  it('delete asks first, then removes it', async () => {
    await page.getByRole('link', { name: 'Security', exact: true }).click()
    await page.getByRole('button', { name: 'Delete sec-e2e' }).click()
    await page.getByRole('button', { name: 'Delete', exact: true }).click()
    await expect.poll(() => page.getByTestId('sec-table').textContent()).not.toContain('sec-e2e')
  })

  it('raised no CSP violation or script error', () => {
    expect(wb.problems).toEqual([])
  })
})
