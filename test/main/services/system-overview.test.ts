// Issue 13 items 13, 15–18 and 3 (rename) in process: devices.list sorted and filtered on the
// server, ended registrations listed by state, system.overview's counts, activity, URIs and store,
// and bootstrap.configs.rename in one step.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DevicesPage } from '../../../src-main/contract/devices'
import type { BootstrapConfigEntry } from '../../../src-main/contract/bootstrap'
import type { SystemOverview } from '../../../src-main/contract/system'
import type { ModelsOverview } from '../../../src-main/contract/models'
import { ActivityLog } from '../../../src-main/services/activity-log'
import { listenerUris } from '../../../src-main/services/listener-uris'
import { createWorkbench, type Workbench } from '../../../src-main/services/workbench'
import { NodeCoapDevice } from '../../helpers/coap-device'
import { callIn } from '../../helpers/in-process'
import { tempDir } from '../../helpers/temp-dir'

let dir: ReturnType<typeof tempDir>
let wb: Workbench
let device: NodeCoapDevice
let port = 0
const call = <T>(method: string, params: unknown): Promise<T> => callIn<T>(wb, method, params)

beforeAll(async () => {
  dir = tempDir()
  wb = createWorkbench({ dataDir: dir.path, log: () => {} })
  await wb.startListeners({ coap: { host: '127.0.0.1', port: 0 }, bootstrap: null })
  port = wb.listeners()[0]?.port as number
  device = await NodeCoapDevice.start()
})
afterAll(async () => {
  await device?.close()
  await wb?.close()
  dir?.cleanup()
})

describe('devices.list on the server (item 13)', () => {
  it('sorts by a column either way, searches endpoint and address, and lists ended registrations by state', async () => {
    for (const [ep, lt] of [['dev-b', 300], ['dev-a', 120], ['dev-c', 600]] as const)
      expect((await device.request(port, 'POST', '/rd', `ep=${ep}&lt=${lt}&lwm2m=1.1&b=U`, '</3/0>', 'application/link-format')).code).toBe('2.01')
    const byName = await call<DevicesPage>('devices.list', {})
    expect(byName.devices.map((d) => d.endpoint)).toEqual(['dev-a', 'dev-b', 'dev-c'])
    const byLifetime = await call<DevicesPage>('devices.list', { sort: 'lifetime', order: 'desc' })
    expect(byLifetime.devices.map((d) => d.endpoint)).toEqual(['dev-c', 'dev-b', 'dev-a'])
    expect((await call<DevicesPage>('devices.list', { filter: 'DEV-B' })).devices.map((d) => d.endpoint)).toEqual(['dev-b'])
    expect((await call<DevicesPage>('devices.list', { filter: '127.0.0.1' })).total).toBe(3)
    await expect(call('devices.list', { sort: 'colour' })).rejects.toThrow(/sort/)

    await device.request(port, 'POST', '/rd', 'ep=dev-gone&lt=120&lwm2m=1.1&b=U', '</3/0>', 'application/link-format')
    const { registrationId } = await call<{ registrationId: string }>('devices.get', { endpoint: 'dev-gone' })
    expect((await device.request(port, 'DELETE', `/rd/${registrationId}`, '')).code).toBe('2.02')
    const ended = await call<DevicesPage>('devices.list', { state: 'deregistered' })
    expect(ended.devices.map((d) => [d.endpoint, d.state])).toEqual([['dev-gone', 'deregistered']])
    expect((await call<DevicesPage>('devices.list', { state: 'expired' })).total).toBe(0)
    expect((await call<DevicesPage>('devices.list', {})).devices.map((d) => d.endpoint)).not.toContain('dev-gone')
  })
})

describe('system.overview (items 15–18)', () => {
  it('counts live devices, shows the latest activity linked to its device, and URIs a device can use', async () => {
    const o = await call<SystemOverview>('system.overview', {})
    expect(o.serverRunning).toBe(true)
    expect(o.counts).toMatchObject({ registered: 3, sleeping: 0, expiredLastHour: 0, bootstrapOk: 0, bootstrapFailed: 0 })
    expect(o.activity[0]).toMatchObject({ kind: 'deregistered', endpoint: 'dev-gone', link: { view: 'device', endpoint: 'dev-gone' } })
    expect(o.activity.filter((a) => a.kind === 'registered')).toHaveLength(4)
    expect(o.listeners).toEqual([{ role: 'LwM2M Server', uri: `coap://127.0.0.1:${port}`, interface: null, loopback: true }])
    expect(o.store.path).toMatch(/workbench\.sqlite$/)
    expect(o.store.secrets.protection).toBe('key-file')
  })

  it('a listener on 0.0.0.0 or :: becomes one URI per interface address, IPv6 in brackets, link-local only as a last resort', () => {
    const ifs = {
      lo: [
        { address: '127.0.0.1', family: 'IPv4', internal: true },
        { address: '::1', family: 'IPv6', internal: true }
      ],
      eth0: [
        { address: '192.168.1.20', family: 'IPv4', internal: false },
        { address: 'fe80::1', family: 'IPv6', internal: false },
        { address: '2001:db8::20', family: 'IPv6', internal: false }
      ]
    } as never
    const l = (address: string) => [{ role: 'LwM2M Server', transport: 'coap (UDP)', address, port: 5683 }]
    expect(listenerUris(l('0.0.0.0'), ifs).map((u) => u.uri)).toEqual(['coap://192.168.1.20:5683', 'coap://127.0.0.1:5683'])
    expect(listenerUris(l('::'), ifs).map((u) => u.uri)).toEqual(['coap://192.168.1.20:5683', 'coap://[2001:db8::20]:5683', 'coap://127.0.0.1:5683', 'coap://[::1]:5683'])
    expect(listenerUris(l('::'), { eth0: [{ address: 'fe80::1', family: 'IPv6', internal: false }] } as never).map((u) => u.uri)).toEqual(['coap://[fe80::1]:5683'])
    expect(listenerUris(l('0.0.0.0'), ifs).every((u) => !u.uri.includes('0.0.0.0'))).toBe(true)
  })

  it('counts timeouts and error codes per day, and expiries within the last hour', () => {
    let day = 1
    const log = new ActivityLog(() => day)
    const e = (kind: string, at: number, over: object = {}) => ({ seq: 0, at, kind, text: '', ...over }) as never
    log.add('a', e('request', 1000, { code: '2.05' }))
    log.add('a', e('request', 1000, { code: '4.04' }))
    log.add('a', e('request', 1000, { text: 'Read /3/0: no answer from the device within 30 s' }))
    log.add('a', e('request', 1000, { text: 'Read /3/0: the device acknowledged the request but sent no answer within 30 s' }))
    log.add('b', e('expired', 1000))
    expect(log.counts(2000)).toEqual({ expiredLastHour: 1, requestTimeouts: 2, requestErrors: 1 })
    expect(log.counts(1000 + 3_600_001).expiredLastHour).toBe(0)
    day = 2
    expect(log.counts(5_000_000)).toMatchObject({ requestTimeouts: 0, requestErrors: 0 })
    expect(log.recent().map((r) => r.kind)).toEqual(['expired', 'request-failed', 'request-failed', 'request-failed'])
  })
})

describe('bootstrap.configs.rename (item 3)', () => {
  const config = (endpoint: string) => ({
    endpoint,
    discoverFirst: true,
    deletePaths: ['/0', '/1'],
    security: [{ instanceId: 1, uri: 'coap://192.0.2.1:5683', bootstrapServer: false, securityMode: 0, shortServerId: 101, publicKeyOrIdentity: 'id', identityEncoding: 'text', secretKey: '00112233', secretKeyEncoding: 'hex' }],
    servers: [{ instanceId: 0, shortServerId: 101, lifetime: 300, notificationStoring: true, binding: 'U' }],
    contentFormat: 'auto',
    allowPack: true
  })
  it('renames in place: no copy under the old name, keys kept, a taken name refused', async () => {
    await call('bootstrap.configs.put', { config: config('old-name') })
    await call('bootstrap.configs.put', { config: config('other') })
    const renamed = await call<BootstrapConfigEntry>('bootstrap.configs.rename', { from: 'old-name', to: 'new-name' })
    expect(renamed.config.endpoint).toBe('new-name')
    expect(renamed.config.security[0]?.secretKey).toBe('00112233')
    const list = await call<{ configs: BootstrapConfigEntry[] }>('bootstrap.configs.list', {})
    expect(list.configs.map((c) => c.endpoint)).toEqual(['new-name', 'other'])
    await expect(call('bootstrap.configs.rename', { from: 'new-name', to: 'other' })).rejects.toThrow(/exists already/)
    await expect(call('bootstrap.configs.rename', { from: 'missing', to: 'x' })).rejects.toThrow(/bootstrap.not_found/)
    expect((await call<{ configs: BootstrapConfigEntry[] }>('bootstrap.configs.list', {})).configs).toHaveLength(2)
    const o = await call<SystemOverview>('system.overview', {})
    expect(o.store).toMatchObject({ bootstrapConfigs: 2, sealedConfigs: 2 })
  })
})

describe('models.list ranking (item 20)', () => {
  it('puts the exact id first, then names that start with the words, then names containing them, then resources', async () => {
    const r = await call<ModelsOverview>('models.list', { query: 'temperature' })
    expect(r.objects[0]?.name.toLowerCase().startsWith('temperature')).toBe(true)
    const firstResourceOnly = r.objects.findIndex((o) => !o.name.toLowerCase().includes('temperature'))
    expect(firstResourceOnly).toBeGreaterThan(0)
    expect(r.objects.slice(firstResourceOnly).every((o) => !o.name.toLowerCase().includes('temperature') && o.matchedResources.length > 0)).toBe(true)
    expect((await call<ModelsOverview>('models.list', { query: '3303' })).objects[0]?.id).toBe(3303)
  })
})
