// models.* through the dispatcher: the shipped registry, search by id or name, and user DDF folders
// where a broken file is reported by name and reason while the rest still load.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { mkdirSync, writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { createWorkbench, type Workbench } from '../../../src-main/services/workbench'
import type { ModelDetail, ModelFoldersResult, ModelsOverview } from '../../../src-main/contract/models'
import { tempDir } from '../../helpers/temp-dir'
import { callIn } from '../../helpers/in-process'

let dir: ReturnType<typeof tempDir>
let wb: Workbench
const call = <T>(method: string, params: unknown): Promise<T> => callIn<T>(wb, method, params)

const CUSTOM = `<?xml version="1.0" encoding="UTF-8"?>
<LWM2M><Object ObjectType="MODefinition"><Name>Acme Valve</Name><ObjectID>32769</ObjectID>
<ObjectVersion>1.1</ObjectVersion><MultipleInstances>Multiple</MultipleInstances><Mandatory>Optional</Mandatory>
<Resources><Item ID="0"><Name>Opening</Name><Operations>RW</Operations><MultipleInstances>Single</MultipleInstances>
<Mandatory>Mandatory</Mandatory><Type>Float</Type><RangeEnumeration>0..100</RangeEnumeration><Units>%</Units></Item>
</Resources></Object></LWM2M>`

beforeAll(() => {
  dir = tempDir()
  wb = createWorkbench({ dataDir: join(dir.path, 'data'), log: () => {} })
})
afterAll(async () => {
  await wb.close()
  dir.cleanup()
})

describe('models.list / models.get (shipped OMA registry)', () => {
  it('lists every shipped object once, newest version', async () => {
    const r = await call<ModelsOverview>('models.list', {})
    expect(r.total).toBeGreaterThan(300)
    expect(r.objects).toHaveLength(r.total)
    const server = r.objects.find((o) => o.id === 1)
    expect(server).toMatchObject({ name: 'LwM2M Server', version: '1.2', source: 'shipped' })
    expect(server?.versions).toEqual(['1.0', '1.1', '1.2'])
  })
  it('finds an object by id and a resource by id path', async () => {
    const byId = await call<ModelsOverview>('models.list', { query: '3303' })
    expect(byId.objects.map((o) => o.id)).toEqual([3303])
    const byPath = await call<ModelsOverview>('models.list', { query: '/3303/5700' })
    expect(byPath.objects[0]?.matchedResources).toEqual([{ id: 5700, name: 'Sensor Value' }])
  })
  it('finds objects and resources by name, case-insensitively', async () => {
    const r = await call<ModelsOverview>('models.list', { query: 'FIRMWARE' })
    expect(r.objects.some((o) => o.id === 5)).toBe(true)
    const res = await call<ModelsOverview>('models.list', { query: 'short server id' })
    expect(res.objects.find((o) => o.id === 1)?.matchedResources).toContainEqual({ id: 0, name: 'Short Server ID' })
  })
  it('gets a model with its resources, and an older version by ver (VER-01)', async () => {
    const dev = await call<ModelDetail>('models.get', { id: 3 })
    expect(dev.model.resources.find((r) => r.id === 0)).toMatchObject({ name: 'Manufacturer', type: 'string', operations: 'R' })
    const old = await call<ModelDetail>('models.get', { id: 1, version: '1.0' })
    expect(old.model.version).toBe('1.0')
    expect(old.model.resources.length).toBeLessThan(dev.model.resources.length + 100)
  })
})

describe('user DDF folders (setting models.folders)', () => {
  it('loads good files, names the broken one with its reason, and survives a restart', async () => {
    const folder = join(dir.path, 'ddf')
    mkdirSync(join(folder, 'sub'), { recursive: true })
    writeFileSync(join(folder, 'sub', '32769.xml'), CUSTOM)
    writeFileSync(join(folder, 'broken.xml'), '<LWM2M><Object><Name>half')
    const events: unknown[] = []
    wb.events.subscribe((n, p) => events.push([n, p]))

    const r = await call<ModelFoldersResult>('models.addFolder', { folder })
    expect(r.folders).toEqual([folder])
    expect(r.problems).toHaveLength(1)
    expect(r.problems[0]?.file).toBe(join(folder, 'broken.xml'))
    expect(r.problems[0]?.reason.length).toBeGreaterThan(5)
    expect(events).toContainEqual(['models.changed', { total: r.total, problems: 1 }])

    const valve = await call<ModelDetail>('models.get', { id: 32769 })
    expect(valve).toMatchObject({ source: 'user', model: { name: 'Acme Valve', version: '1.1' } })
    expect(valve.model.resources[0]).toMatchObject({ id: 0, type: 'float', range: '0..100', units: '%' })

    await wb.close()
    wb = createWorkbench({ dataDir: join(dir.path, 'data'), log: () => {} })
    expect((await call<ModelDetail>('models.get', { id: 32769 })).source).toBe('user')

    const removed = await call<ModelFoldersResult>('models.removeFolder', { folder })
    expect(removed.folders).toEqual([])
    const gone = await wb.dispatcher.dispatch('models.get', { id: 32769 }, { carrier: 'in-process' })
    expect(gone).toMatchObject({ ok: false, error: { code: 'models.not_found' } })
  })
})

describe('issue 12 item 17: models.folders set directly applies at once', () => {
  it('settings.set models.folders reloads the library without a restart', async () => {
    const folder = join(dir.path, 'direct-ddf')
    mkdirSync(folder, { recursive: true })
    writeFileSync(join(folder, 'valve.xml'), CUSTOM.replace('32769', '32770'))
    const changed = new Promise<void>((resolve) => {
      const off = wb.events.subscribe((name) => {
        if (name === 'models.changed') {
          off()
          resolve()
        }
      })
    })
    await call('settings.set', { key: 'models.folders', value: [folder] })
    await changed
    const got = await call<ModelDetail>('models.get', { id: 32770 })
    expect(got.model.name).toBe('Acme Valve')
    await call('settings.set', { key: 'models.folders', value: [] })
  })
})

describe('issue 13 item 20: search ranking and descriptions', () => {
  it('an exact id first, then names, then resource names, then descriptions; every object carries its description', async () => {
    const byId = await call<ModelsOverview>('models.list', { query: '3' })
    expect(byId.objects[0]?.id).toBe(3)
    const temp = await call<ModelsOverview>('models.list', { query: 'temperature' })
    expect(temp.objects[0]?.name.toLowerCase().startsWith('temperature')).toBe(true)
    // "clienthello" appears in no object or resource name, only in descriptions.
    const prose = await call<ModelsOverview>('models.list', { query: 'clienthello' })
    expect(prose.objects.length).toBeGreaterThan(0)
    const device = await call<ModelDetail>('models.get', { id: 3 })
    expect(device.model.description?.length).toBeGreaterThan(20)
    expect(device.model.resources.find((r) => r.id === 4)?.description).toMatch(/reboot/i)
    expect((await call<ModelsOverview>('models.list', {})).objects.find((o) => o.id === 3303)?.description).toMatch(/temperature/i)
  })
})
