// What a simulated device starts with (issue 14): profile objects typed by the models, a Device
// object when the profile has none, the factory accounts for --server / --bootstrap, sensors.
import { describe, expect, it } from 'vitest'
import { DEFAULT_SSID, planDevice } from '../../../../src-main/core/lwm2m/client/device-plan'
import type { Profile } from '../../../../src-main/core/lwm2m/client/profile'
import { formatPath } from '../../../../src-main/core/lwm2m/path'
import { models } from './fixtures'

const base = { endpoint: 'fleet-7', lifetime: 120, queue: false, models, epochAtStart: 1_700_000_000 }

describe('planDevice', () => {
  it('a profile without /3 gets a Device object with every mandatory resource, Reboot, and a ticking clock', () => {
    const plan = planDevice({ ...base, profile: { name: 'bare', objects: [] } })
    const device = plan.objects.find((o) => o.id === 3)?.instances[0]?.data
    expect(device?.get(2)).toEqual({ type: 'string', value: 'fleet-7' })
    expect(device?.get(4)).toEqual({ type: 'none', value: null })
    expect(device?.get(13)).toEqual({ type: 'time', value: 1_700_000_000 })
    expect(device?.get(16)).toEqual({ type: 'string', value: 'U' })
    expect(plan.sensors.map((s) => formatPath(s.path))).toEqual(['/3/0/13'])
  })

  it('"{endpoint}" in a string value becomes the endpoint name; generators become sensors with their interval', () => {
    const profile: Profile = {
      name: 'p',
      objects: [
        { id: 3, instances: [{ id: 0, resources: { '0': 'ACME', '2': 'SN-{endpoint}', '11': [0], '16': 'U' } }] },
        { id: 3303, instances: [{ id: 0, resources: { '5700': { generator: { kind: 'sine', min: 10, max: 20, periodSeconds: 60 }, intervalSeconds: 2 } } }] }
      ]
    }
    const plan = planDevice({ ...base, profile })
    expect(plan.objects.find((o) => o.id === 3)?.instances[0]?.data.get(2)).toEqual({ type: 'string', value: 'SN-fleet-7' })
    expect(plan.sensors).toEqual([{ path: [3303, 0, 5700], generator: { kind: 'sine', min: 10, max: 20, periodSeconds: 60 }, intervalSeconds: 2, type: 'float' }])
  })

  it('--server gives a NoSec server account (SSID 101) with the lifetime; --bootstrap a BS account; both together use /0/0 and /0/1', () => {
    const s = planDevice({ ...base, profile: { name: 'p', objects: [] }, server: 'coap://127.0.0.1:5683' }).factory
    const at = (path: string) => s.find((r) => formatPath(r.path) === path)?.value
    expect(at('/0/0/0')).toEqual({ type: 'string', value: 'coap://127.0.0.1:5683' })
    expect(at('/0/0/1')).toEqual({ type: 'boolean', value: false })
    expect(at('/0/0/2')).toEqual({ type: 'integer', value: 3 })
    expect(at('/0/0/10')).toEqual({ type: 'integer', value: DEFAULT_SSID })
    expect(at('/1/0/0')).toEqual({ type: 'integer', value: DEFAULT_SSID })
    expect(at('/1/0/1')).toEqual({ type: 'integer', value: 120 })
    const both = planDevice({ ...base, profile: { name: 'p', objects: [] }, server: 'coap://a:1', bootstrap: 'coap://b:2' }).factory
    const at2 = (path: string) => both.find((r) => formatPath(r.path) === path)?.value
    expect(at2('/0/0/1')).toEqual({ type: 'boolean', value: true })
    expect(at2('/0/0/10')).toBeUndefined()
    expect(at2('/0/1/0')).toEqual({ type: 'string', value: 'coap://a:1' })
  })
})

describe('empty opaque values (issue 14 memory: one shared value, not ~200 bytes per copy)', () => {
  it('factory NoSec accounts and trees store the one frozen EMPTY_OPAQUE, and a written key replaces it', async () => {
    const { EMPTY_OPAQUE, ObjectTree } = await import('../../../../src-main/core/lwm2m/client/object-tree')
    const { factoryRecords } = await import('../../../../src-main/core/lwm2m/client/device-plan')
    const records = factoryRecords({ server: 'coap://127.0.0.1:5683', lifetime: 60, queue: false })
    expect(records.find((r) => r.path.join('/') === '0/0/5')?.value).toBe(EMPTY_OPAQUE)
    expect(Object.isFrozen(EMPTY_OPAQUE)).toBe(true)
    const tree = new ObjectTree({ get: () => undefined } as never)
    tree.putInstance(0, 0, new Map([[3, { type: 'opaque', value: new Uint8Array(0) }]]))
    expect(tree.value(0, 0, 3)).toBe(EMPTY_OPAQUE)
    tree.set([0, 0, 5], { type: 'opaque', value: new Uint8Array(0) })
    expect(tree.value(0, 0, 5)).toBe(EMPTY_OPAQUE)
    tree.set([0, 0, 5], { type: 'opaque', value: Uint8Array.of(1, 2) })
    expect(tree.value(0, 0, 5)).toEqual({ type: 'opaque', value: Uint8Array.of(1, 2) })
    expect(EMPTY_OPAQUE.value).toEqual(new Uint8Array(0))
  })
})
