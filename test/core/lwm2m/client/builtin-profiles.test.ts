// The built-in profiles in resources/profiles (docs/simulator-profile.md) must pass checkProfile
// against the shipped models, and every value they give must type.
import { describe, expect, it } from 'vitest'
import { readFileSync, readdirSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { checkProfile, profileValues } from '../../../../src-main/core/lwm2m/client/profile-check'
import type { Profile } from '../../../../src-main/core/lwm2m/client/profile'
import type { ObjectModel } from '../../../../src-main/core/lwm2m/model'
import { ModelRegistry } from '../../../../src-main/core/lwm2m/model/model-registry'

const models = new ModelRegistry()
for (const m of JSON.parse(readFileSync(fileURLToPath(new URL('../../../../resources/models/models.json', import.meta.url)), 'utf8')) as ObjectModel[])
  models.add(m, 'shipped')

const DIR = fileURLToPath(new URL('../../../../resources/profiles/', import.meta.url))
const files = readdirSync(DIR).filter((f) => f.endsWith('.json')).sort()
const load = (file: string): unknown => JSON.parse(readFileSync(DIR + file, 'utf8'))

describe('built-in profiles', () => {
  it('are the four the docs name', () => {
    expect(files).toEqual(['broken.json', 'gateway.json', 'sensor.json', 'tracker.json'])
  })

  for (const file of files) {
    it(`${file} passes checkProfile with zero problems, and its name is its file name`, () => {
      const r = checkProfile(load(file), models)
      expect(r.problems).toEqual([])
      expect(r.profile?.name).toBe(file.replace(/\.json$/, ''))
    })

    it(`${file}: every value types against its model`, () => {
      const p = load(file) as Profile
      for (const o of p.objects) {
        const model = models.get(o.id, o.version) as ObjectModel
        for (const inst of o.instances) {
          expect([...profileValues(inst, model, 1_700_000_000).keys()].sort()).toEqual(Object.keys(inst.resources).map(Number).sort())
        }
      }
    })
  }

  it('the example in docs/simulator-profile.md passes too', () => {
    const doc = readFileSync(fileURLToPath(new URL('../../../../docs/simulator-profile.md', import.meta.url)), 'utf8')
    const example = /```json\n([\s\S]*?)```/.exec(doc)?.[1] ?? ''
    expect(checkProfile(JSON.parse(example), models).problems).toEqual([])
  })

  it('broken.json refuses Create on /3303 with 4.05 (DMSE-01) and carries the error, malformed and drop faults', () => {
    const p = load('broken.json') as Profile
    expect(p.refuse).toEqual([{ operation: 'create', path: '/3303', code: '4.05' }])
    expect(p.faults).toEqual([
      { kind: 'error', path: '/3/0/13', code: '5.00' },
      { kind: 'malformed', share: 0.2 },
      { kind: 'drop', share: 0.1 }
    ])
  })

  it('tracker.json sleeps (queue mode, T §6.5) and walks /6 latitude and longitude', () => {
    const p = load('tracker.json') as Profile
    expect(p.queueMode).toEqual({ awakeSeconds: 30 })
    const loc = p.objects.find((o) => o.id === 6)?.instances[0]?.resources
    expect(loc?.['0']).toMatchObject({ generator: { kind: 'walk' } })
    expect(loc?.['1']).toMatchObject({ generator: { kind: 'walk' } })
  })

  it('gateway.json lists its end devices in Object 25 v2.0 (Gw-Enab-01)', () => {
    const p = load('gateway.json') as Profile
    const gw = p.objects.find((o) => o.id === 25)
    expect(gw?.version).toBe('2.0')
    expect(gw?.instances.map((i) => i.resources['1'])).toEqual(['dev1', 'dev2'])
  })
})
