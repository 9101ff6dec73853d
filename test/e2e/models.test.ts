// The Models view in Chromium: browse and search the shipped OMA objects, deep links that survive a
// reload, and adding a folder of DDF files where a broken file is named with its reason.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { openWorkbenchPage, SHOTS, type WorkbenchPage } from '../helpers/workbench-page'

let wb: WorkbenchPage
let page: WorkbenchPage['page']

beforeAll(async () => {
  wb = await openWorkbenchPage()
  page = wb.page
})
afterAll(() => wb?.close())

describe('Models view', () => {
  it('searches by name and shows which resources matched', async () => {
    await page.getByRole('link', { name: 'Models' }).click()
    await page.getByTestId('object-list').waitFor()
    await page.getByTestId('model-search').fill('sensor value')
    await expect.poll(() => page.getByTestId('object-list').textContent()).toContain('5700 Sensor Value')
    await page.getByText('Temperature', { exact: true }).click()
    await expect.poll(() => page.getByTestId('object-detail').textContent()).toContain('/3303')
    expect(await page.getByTestId('resource-table').textContent()).toContain('Sensor Value')
    // Issue 13 item 20: descriptions, units, types, ranges and operations are shown.
    expect((await page.getByTestId('object-description').textContent())?.length).toBeGreaterThan(20)
    const table = (await page.getByTestId('resource-table').textContent()) ?? ''
    for (const fact of ['float', 'Last or Current Measured Value from the Sensor', 's']) expect(table).toContain(fact)
    await page.screenshot({ path: join(SHOTS, 'models-search.png') })
  })


  it('a search for an id opens that object; the deep link survives a reload', async () => {
    await page.getByTestId('model-search').fill('/1/0/1')
    await page.waitForURL(/\/models\/1$/)
    await expect.poll(() => page.getByTestId('object-detail').textContent()).toContain('LwM2M Server')
    await page.reload()
    await expect.poll(() => page.getByTestId('object-detail').textContent(), { timeout: 10_000 }).toContain('Lifetime')
  })

  it('moves through the list with the keyboard', async () => {
    await page.getByTestId('model-search').fill('')
    await expect.poll(async () => (await page.getByTestId('object-list').textContent())?.includes('LWM2M Security')).toBe(true)
    await page.getByTestId('object-list').focus()
    await page.keyboard.press('Home')
    await page.waitForURL(/\/models\/0$/)
    await page.keyboard.press('ArrowDown')
    await page.waitForURL(/\/models\/1$/)
  })

  it('adds a DDF folder: its objects load, a broken file is named with the reason', async () => {
    const folder = join(wb.data.path, 'my-ddf')
    mkdirSync(folder, { recursive: true })
    writeFileSync(
      join(folder, '32770.xml'),
      `<LWM2M><Object ObjectType="MODefinition"><Name>Acme Pump</Name><ObjectID>32770</ObjectID><ObjectVersion>1.0</ObjectVersion>
       <MultipleInstances>Single</MultipleInstances><Mandatory>Optional</Mandatory><Resources>
       <Item ID="1"><Name>Flow Rate</Name><Operations>R</Operations><MultipleInstances>Single</MultipleInstances>
       <Mandatory>Mandatory</Mandatory><Type>Float</Type><RangeEnumeration></RangeEnumeration><Units>l/min</Units></Item>
       </Resources></Object></LWM2M>`
    )
    writeFileSync(join(folder, 'broken.xml'), '<LWM2M><Object>')
    await page.getByTestId('folder-input').fill(folder)
    await page.getByTestId('folder-add').click()
    await expect.poll(() => page.getByTestId('model-problems').textContent()).toContain('broken.xml')
    await page.getByTestId('model-search').fill('acme')
    await page.getByText('Acme Pump', { exact: true }).click()
    await expect.poll(() => page.getByTestId('object-detail').textContent()).toContain('Acme Pump')
    await page.screenshot({ path: join(SHOTS, 'models-user-folder.png') })
  })

  it('raised no CSP violation, script error or failed request', () => {
    expect(wb.problems).toEqual([])
  })
})
