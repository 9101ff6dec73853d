// SPDX-License-Identifier: Apache-2.0
import { fileURLToPath } from 'node:url'
import { mkdtempSync, mkdirSync, readFileSync, writeFileSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { describe, expect, it } from 'vitest'
import { loadModelLibrary } from '../../../src-main/services/model-library'

const SHIPPED = join(import.meta.dirname, '../../../resources/models/models.json')
const REGISTRY = process.env['LWM2M_REGISTRY'] ?? fileURLToPath(new URL('../../fixtures/lwm2m-registry', import.meta.url))

describe('model library (shipped models.json + user DDF folders)', () => {
  it('ships every registry object version, sorted by id then version', () => {
    const models = JSON.parse(readFileSync(SHIPPED, 'utf8')) as { id: number; version: string }[]
    expect(models).toHaveLength(424)
    const keys = models.map((m) => `${m.id}@${m.version}`)
    expect(new Set(keys).size).toBe(424)
    expect(keys.slice(0, 3)).toEqual(['0@1.0', '0@1.1', '0@1.2'])
    // No key beyond ObjectModel / ResourceModel (descriptions included since issue 13 item 20).
    const objectKeys = new Set(models.flatMap((m) => Object.keys(m)))
    expect([...objectKeys].sort()).toEqual(['description', 'id', 'lwm2mVersion', 'mandatory', 'multiple', 'name', 'resources', 'urn', 'version'])
    const resourceKeys = new Set(models.flatMap((m) => (m as unknown as { resources: object[] }).resources.flatMap((r) => Object.keys(r))))
    expect([...resourceKeys].sort()).toEqual(['description', 'id', 'mandatory', 'multiple', 'name', 'operations', 'range', 'type', 'units'])
  })

  it('loads user XML over shipped models and reports files that do not parse', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'models-'))
    mkdirSync(join(dir, 'nested'))
    const device = readFileSync(join(REGISTRY, '3.xml'), 'utf8').replace('<Name>Device</Name>', '<Name>My Device</Name>')
    writeFileSync(join(dir, 'nested', 'device.xml'), device)
    writeFileSync(join(dir, 'broken.xml'), '<LWM2M><Object>')
    writeFileSync(join(dir, 'notes.txt'), 'ignored')
    const lib = await loadModelLibrary({ shippedFile: SHIPPED, userFolders: [dir, join(dir, 'missing')] })
    expect(lib.registry.size).toBe(424)
    expect(lib.registry.entry(3, '1.2')).toMatchObject({ source: 'user', model: { name: 'My Device' } })
    expect(lib.registry.get(3, '1.1')?.name).toBe('Device')
    expect(lib.failures.map((f) => f.file)).toEqual([join(dir, 'broken.xml'), join(dir, 'missing')])
    expect(lib.failures[0]?.reason).toMatch(/^not well-formed XML/)
    expect(lib.failures[1]?.reason).toMatch(/ENOENT/)
  })

  it('refuses a damaged shipped file whole and says why', async () => {
    const dir = mkdtempSync(join(tmpdir(), 'models-'))
    writeFileSync(join(dir, 'models.json'), '[{"id":3,"name":"Device","version":"1.0","resources":[]},{"id":"x"}]')
    writeFileSync(join(dir, 'bad.json'), '{')
    const damaged = await loadModelLibrary({ shippedFile: join(dir, 'models.json') })
    expect(damaged.registry.size).toBe(0)
    expect(damaged.failures).toEqual([{ file: join(dir, 'models.json'), reason: 'entry 1 is not an object model' }])
    const broken = await loadModelLibrary({ shippedFile: join(dir, 'bad.json') })
    expect(broken.failures[0]?.reason).toMatch(/JSON/)
  })
})
