// End to end (issue 14 item 8): the Simulator view starts a fleet against this workbench's own
// LwM2M Server, its counts reach "registered" from simulator.changed events, a device's switch is
// flipped and a value set (and the server reads what was set), a fault is injected and cleared
// (and the server sees it come and go), the device links to its Devices page, and the fleet stops.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { join } from 'node:path'
import { runCliAsync } from '../helpers/cli'
import { openWorkbenchPage, SHOTS, type WorkbenchPage } from '../helpers/workbench-page'

let wb: WorkbenchPage
let page: WorkbenchPage['page']
let coapPort = 0

beforeAll(async () => {
  wb = await openWorkbenchPage()
  page = wb.page
  coapPort = wb.ports['LwM2M Server'] as number
})
afterAll(() => wb?.close())

/** A Read by this workbench's LwM2M Server, through `lwm2m-wb call` (not through the view under test). */
async function serverRead(path: string): Promise<{ code: string; records?: { path: string; value: unknown }[] }> {
  const r = await runCliAsync(['call', 'devices.read', JSON.stringify({ endpoint: 'e2e-0', path }), '--data-dir', wb.data.path])
  return JSON.parse(r.stdout)
}
const row = (path: string) => page.getByTestId('sim-values').locator(`tr[data-path="${path}"]`)
const count = (state: string) => page.getByTestId('sim-counts').locator(`[data-state="${state}"] strong`).textContent()

describe('Simulator view', () => {
  it('is in the navigation; the form offers the built-in profiles with their descriptions and this server\'s URI', async () => {
    await page.getByRole('link', { name: 'Simulator' }).click()
    await page.getByTestId('sim-start-form').waitFor()
    expect(await page.getByTestId('sim-profile-description').textContent()).toContain('temperature')
    expect(await page.getByTestId('sim-target-uri').textContent()).toBe(`coap://127.0.0.1:${coapPort}`)
    await page.getByTestId('sim-profile').click()
    for (const name of ['sensor', 'gateway', 'tracker', 'broken']) await page.getByRole('option', { name: new RegExp(`^${name}`) }).waitFor()
    await page.getByRole('option', { name: /^tracker/ }).click()
    await expect.poll(() => page.getByTestId('sim-profile-description').textContent()).toContain('queue mode')
    await page.getByTestId('sim-profile').click()
    await page.getByRole('option', { name: /^sensor/ }).click()
  })

  it('says in words what is wrong with a custom target before starting', async () => {
    await page.getByRole('radio', { name: 'Another server' }).click({ force: true })
    await page.getByTestId('sim-custom-uri').fill('coaps://lwm2m.example.com:5684')
    expect(await page.getByTestId('sim-uri-problem').textContent()).toContain('plain CoAP only')
    await page.getByTestId('sim-custom-uri').fill('127.0.0.1:5683')
    expect(await page.getByTestId('sim-uri-problem').textContent()).toContain('coap://HOST:PORT')
    // Our Bootstrap Server has no configuration yet: the devices would fail, and the form says so.
    await page.getByRole('radio', { name: 'This Bootstrap Server' }).click({ force: true })
    await expect.poll(() => page.getByTestId('sim-bs-warning').textContent()).toContain('will fail to bootstrap')
    await page.getByRole('radio', { name: 'This LwM2M Server' }).click({ force: true })
    expect(await page.getByTestId('sim-uri-problem').count()).toBe(0)
    expect(await page.getByTestId('sim-bs-warning').count()).toBe(0)
  })

  it('starts three devices against its own server; the counts reach registered', async () => {
    await page.getByTestId('sim-count').locator('input').fill('3')
    await page.getByTestId('sim-prefix').fill('e2e-')
    await page.getByTestId('sim-start').click()
    await page.getByTestId('sim-fleet').waitFor()
    await expect.poll(() => count('registered'), { timeout: 15_000 }).toBe('3')
    expect(await count('failed')).toBe('0')
    expect(await page.getByTestId('sim-fleet').textContent()).toContain(`coap://127.0.0.1:${coapPort}`)
    // The first device opens by itself, registered with our server.
    expect(await page.getByTestId('sim-device-endpoint').textContent()).toBe('e2e-0')
    await expect.poll(() => page.getByTestId('sim-device-state').textContent(), { timeout: 10_000 }).toContain('registered')
    expect(await page.getByTestId('sim-servers').textContent()).toContain(`coap://127.0.0.1:${coapPort}`)
    await page.screenshot({ path: join(SHOTS, 'simulator-fleet.png') })
  })

  it('a second start with the same names is refused in plain words', async () => {
    await page.getByTestId('sim-prefix').fill('e2e-')
    await page.getByTestId('sim-start').click()
    await expect.poll(() => page.getByTestId('sim-start-error').textContent()).toContain('"e2e-0" is already simulated')
    expect(await page.getByTestId('sim-start-error').textContent()).not.toContain('rpc.')
    expect(await page.getByTestId('sim-fleet').count()).toBe(1)
  })

  it('the device shows its values, generated ones marked and refreshed', async () => {
    await expect.poll(() => row('/3303/0/5700').textContent()).toContain('gen')
    expect(await row('/3303/0/5701').textContent()).not.toContain('gen')
    // The Current Time (a clock generator, recomputed every 10 s) moves while the device is shown.
    const before = await row('/3/0/13').getByTestId('sim-value').textContent()
    await expect.poll(() => row('/3/0/13').getByTestId('sim-value').textContent(), { timeout: 15_000 }).not.toBe(before)
  })

  it('flips the on/off switch, and the server reads the new state', async () => {
    const was = (await row('/3342/0/5500').getByTestId('sim-value').textContent())?.trim()
    const now = was === 'true' ? 'false' : 'true'
    await row('/3342/0/5500').getByTestId('sim-flip').click()
    await expect.poll(() => row('/3342/0/5500').getByTestId('sim-value').textContent()).toBe(now)
    const read = await serverRead('/3342/0/5500')
    expect(read.code).toBe('2.05')
    expect(String(read.records?.[0]?.value)).toBe(now)
  })

  it('sets a value, and the server reads it', async () => {
    await row('/3303/0/5701').getByTestId('sim-set').click()
    await row('/3303/0/5701').getByTestId('sim-set-input').fill('Far')
    await row('/3303/0/5701').getByTestId('sim-set-apply').click()
    await expect.poll(() => page.getByTestId('sim-set-outcome').textContent()).toContain('/3303/0/5701 is now Far')
    await expect.poll(() => row('/3303/0/5701').getByTestId('sim-value').textContent()).toBe('Far')
    const read = await serverRead('/3303/0/5701')
    expect(read.records?.[0]?.value).toBe('Far')
  })

  it('a value the resource cannot hold is refused in words', async () => {
    await row('/3303/0/5601').getByTestId('sim-set').click()
    await row('/3303/0/5601').getByTestId('sim-set-input').fill('warm')
    await row('/3303/0/5601').getByTestId('sim-set-apply').click()
    await expect.poll(() => page.getByTestId('sim-set-outcome').textContent()).toMatch(/not set: .*float/)
    await row('/3303/0/5601').getByRole('button', { name: 'Cancel' }).click()
  })

  it('injects an error code on a path, the server gets it, and clearing brings the device back', async () => {
    await page.getByTestId('sim-fault-kind').click()
    await page.getByRole('option', { name: 'Answer with an error code' }).click()
    await page.getByTestId('sim-fault-path').fill('/3/0')
    await page.getByTestId('sim-fault-code').click()
    await page.getByRole('option', { name: '4.04 Not Found' }).click()
    await page.getByTestId('sim-fault-add').click()
    await expect.poll(() => page.getByTestId('sim-faults').textContent()).toContain('answers every request on /3/0 with 4.04')
    expect(await page.getByTestId('sim-inject-outcome').textContent()).toContain('Added to this device')
    expect((await serverRead('/3/0/0')).code).toBe('4.04')
    await page.screenshot({ path: join(SHOTS, 'simulator-fault.png') })

    await page.getByTestId('sim-fault-clear').click()
    await expect.poll(() => page.getByTestId('sim-no-faults').count()).toBe(1)
    expect(await page.getByTestId('sim-inject-outcome').textContent()).toContain('Faults cleared')
    expect((await serverRead('/3/0/0')).code).toBe('2.05')
  })

  it('a share fault on the whole fleet applies to every device', async () => {
    await page.getByTestId('sim-fault-kind').click()
    await page.getByRole('option', { name: 'Lose messages' }).click()
    await page.getByTestId('sim-fault-share').locator('input').fill('10')
    await page.getByRole('radio', { name: /Whole fleet/ }).click({ force: true })
    await page.getByTestId('sim-fault-add').click()
    await expect.poll(() => page.getByTestId('sim-inject-outcome').textContent()).toContain('Added to 3 devices: loses 10 % of incoming and outgoing messages')
    await page.getByTestId('sim-fault-clear').click()
    await expect.poll(() => page.getByTestId('sim-inject-outcome').textContent()).toContain('Faults cleared on 3 devices')
    await page.getByRole('radio', { name: 'This device' }).click({ force: true })
  })

  it('another device of the fleet opens from its chip; "Open in Devices" goes to its device page', async () => {
    await page.getByTestId('sim-endpoint-chip').filter({ hasText: 'e2e-2' }).click()
    await expect.poll(() => page.getByTestId('sim-device-endpoint').textContent()).toBe('e2e-2')
    await page.getByTestId('sim-open-device').click()
    await expect.poll(() => page.getByTestId('device-endpoint').textContent()).toBe('e2e-2')
    await page.goBack()
    await expect.poll(() => page.getByTestId('sim-device-endpoint').textContent()).toBe('e2e-2')
  })

  it('stops the fleet after asking; its devices de-register from the server', async () => {
    await page.getByTestId('sim-stop').click()
    await page.getByRole('button', { name: 'Stop them' }).click()
    await expect.poll(() => page.getByTestId('sim-fleet').count()).toBe(0)
    await page.getByTestId('sim-device-empty').waitFor()
    const list = JSON.parse((await runCliAsync(['call', 'devices.list', '--data-dir', wb.data.path])).stdout) as { devices: { endpoint: string }[] }
    expect(list.devices.map((d) => d.endpoint)).not.toContain('e2e-0')
  })

  it('raised no CSP violation or script error', () => {
    expect(wb.problems).toEqual([])
  })
})
