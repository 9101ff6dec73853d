// The LwM2M Server and Bootstrap Server on real UDP sockets, driven through the contract, against a
// device on node-coap (an independent CoAP stack) and raw Register/Update/De-register messages
// from libcoap's coap-client.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { execFile } from 'node:child_process'
import { createSocket } from 'node:dgram'
import { existsSync } from 'node:fs'
import { decode as cborDecode } from 'cbor-x'
import { createWorkbench, type Workbench } from '../../src-main/services/workbench'
import type { DeviceDetail, DevicesPage, ObserveResultDto, OperationResultDto } from '../../src-main/contract/devices'
import type { BootstrapRunDto } from '../../src-main/contract/bootstrap'
import type { SystemInfo } from '../../src-main/contract/system'
import { NodeCoapDevice } from '../helpers/coap-device'
import { tempDir } from '../helpers/temp-dir'
import { callIn } from '../helpers/in-process'

let dir: ReturnType<typeof tempDir>
let wb: Workbench
let coapPort = 0
let bsPort = 0
const events: [string, unknown][] = []

const call = <T>(method: string, params: unknown): Promise<T> => callIn<T>(wb, method, params)
const until = async (f: () => boolean, ms = 5000) => {
  const end = Date.now() + ms
  while (!f()) {
    if (Date.now() > end) throw new Error('condition not met in time')
    await new Promise((r) => setTimeout(r, 20))
  }
}

beforeAll(async () => {
  dir = tempDir()
  wb = createWorkbench({ dataDir: dir.path, log: () => {} })
  wb.events.subscribe((n, p) => events.push([n, p]))
  await wb.startListeners({ coap: { host: '127.0.0.1', port: 0 }, bootstrap: { host: '127.0.0.1', port: 0 } })
  const info = await call<SystemInfo>('system.info', {})
  coapPort = info.capabilities.listeners.find((l) => l.role === 'LwM2M Server')?.port ?? 0
  bsPort = info.capabilities.listeners.find((l) => l.role === 'Bootstrap Server')?.port ?? 0
})
afterAll(async () => {
  await wb.close()
  dir.cleanup()
})

describe('a node-coap device registers and is driven through devices.* (C §6.2, §6.3, §6.4)', () => {
  let device: NodeCoapDevice
  beforeAll(async () => {
    device = await NodeCoapDevice.start()
    const r = await device.register(coapPort, 'nc-dev')
    expect(r.code).toBe('2.01')
  })
  afterAll(() => device.close())

  it('appears in devices.list with its address and objects (RD-01 ver=)', async () => {
    const page = await call<DevicesPage>('devices.list', {})
    expect(page.devices.map((d) => d.endpoint)).toContain('nc-dev')
    const d = await call<DeviceDetail>('devices.get', { endpoint: 'nc-dev' })
    expect(d.address).toBe(`127.0.0.1:${device.port}`)
    expect(d.objects).toContainEqual({ path: '/1', version: '1.1' })
    expect(device.location).toBe(`/rd/${d.registrationId}`)
    expect(events.some(([n, p]) => n === 'devices.registered' && (p as { device: { endpoint: string } }).device.endpoint === 'nc-dev')).toBe(true)
  })

  it('Read of a resource (text) and of an instance (SenML JSON) typed by the model', async () => {
    const one = await call<OperationResultDto>('devices.read', { endpoint: 'nc-dev', path: '/3/0/9' })
    expect(one).toMatchObject({ code: '2.05', success: true, records: [{ path: '/3/0/9', type: 'integer', value: 87 }], violations: [] })
    const inst = await call<OperationResultDto>('devices.read', { endpoint: 'nc-dev', path: '/3/0' })
    expect(inst.contentFormat).toBe(110)
    expect(inst.records).toContainEqual({ path: '/3/0/0', type: 'string', value: 'Acme Devices' })
    expect(inst.records).toContainEqual({ path: '/3/0/9', type: 'integer', value: 87 })
  })

  it('Write replaces a value the device then reports back', async () => {
    const w = await call<OperationResultDto>('devices.write', { endpoint: 'nc-dev', path: '/1/0/1', records: [{ path: '/1/0/1', type: 'integer', value: 600 }] })
    expect(w.code).toBe('2.04')
    expect(device.values.get('/1/0/1')).toBe(600)
    expect(device.log.at(-1)).toMatchObject({ method: 'PUT', url: '/1/0/1' })
  })

  it('Execute with arguments (TRIG-03: /1/x/8 Registration Update Trigger)', async () => {
    const e = await call<OperationResultDto>('devices.execute', { endpoint: 'nc-dev', path: '/1/0/8', args: "0='now'" })
    expect(e.code).toBe('2.04')
    expect(device.executed).toEqual(["0='now'"])
  })

  it('C §6.3.5: Execute arguments that break the syntax are refused before sending', async () => {
    const before = device.executed.length
    await expect(call('devices.execute', { endpoint: 'nc-dev', path: '/1/0/8', args: "1='a b',1" })).rejects.toThrow(/devices.invalid_request: Execute arguments/)
    expect(device.executed.length).toBe(before)
  })

  it('DMSE-01: a refused Delete comes back as 4.05 with its meaning', async () => {
    const d = await call<OperationResultDto>('devices.delete', { endpoint: 'nc-dev', path: '/3/0' })
    expect(d).toMatchObject({ code: '4.05', success: false })
    expect(d.meaning).toMatch(/Method Not Allowed/)
  })

  it('Discover returns the links as corelnk records', async () => {
    const d = await call<OperationResultDto>('devices.discover', { endpoint: 'nc-dev', path: '/3/0' })
    expect(d.code).toBe('2.05')
    expect(d.records.map((r) => r.path)).toContain('/3/0/9')
  })

  it('Observe with attributes on a 1.1 client (INFO-01, issue 12 item 4): Write-Attributes first, notifications arrive as events, cancel can clear them', async () => {
    const o = await call<ObserveResultDto>('devices.observe', { endpoint: 'nc-dev', path: '/3303/0/5700', attributes: 'pmin=1&pmax=30' })
    expect(o.observationId).not.toBeNull()
    expect(o.records).toEqual([{ path: '/3303/0/5700', type: 'float', value: 21.5 }])
    // A 1.1 client would ignore attributes in the Observe query: they were attached first.
    expect(device.log.slice(-2).map((l) => `${l.method} ${l.url}`)).toEqual(['PUT /3303/0/5700?pmin=1&pmax=30', 'GET /3303/0/5700'])
    expect(o.steps?.map((s) => `${s.operation} ${s.code}`)).toEqual(['Write-Attributes 2.04', 'Observe 2.05'])
    expect(o.notes?.join(' ')).toMatch(/stay on the device after the observation ends and apply to every observation of \/3303\/0\/5700/)
    expect(Object.fromEntries(device.attributes.get('/3303/0/5700') ?? [])).toEqual({ pmin: '1', pmax: '30' })
    device.setValue('/3303/0/5700', 22.25)
    await until(() => events.some(([n, p]) => n === 'devices.notification' && (p as { result: OperationResultDto }).result.records[0]?.value === 22.25))
    const c = await call<{ cancelled: true; cleared: OperationResultDto[] }>('devices.cancelObservation', { observationId: o.observationId, clearAttributes: true })
    expect(c.cleared.map((r) => r.code)).toEqual(['2.04'])
    expect(device.log.at(-1)?.url).toBe('/3303/0/5700?pmin&pmax')
    expect(device.attributes.get('/3303/0/5700')?.size).toBe(0)
    // Item 5: cancelling emits devices.observationEnded.
    await until(() => events.some(([n, p]) => n === 'devices.observationEnded' && (p as { observationId: string }).observationId === o.observationId))
  })

  it('attributesRoute "query" puts them in the Observe request as 1.2 does', async () => {
    const o = await call<ObserveResultDto>('devices.observe', { endpoint: 'nc-dev', path: '/3303/0/5700', attributes: 'pmin=1&pmax=30', attributesRoute: 'query' })
    expect(device.log.at(-1)?.url).toBe('/3303/0/5700?pmin=1&pmax=30')
    expect(o.steps).toBeUndefined()
    await call('devices.cancelObservation', { observationId: o.observationId })
  })

  it('Read-Composite and Write-Composite (C §6.3.2, §6.3.4) over SenML JSON for a 1.1 client', async () => {
    const r = await call<OperationResultDto>('devices.readComposite', { endpoint: 'nc-dev', paths: ['/3/0/0', '/1/0/1'] })
    expect(r.code).toBe('2.05')
    expect(r.records).toEqual([
      { path: '/3/0/0', type: 'string', value: 'Acme Devices' },
      { path: '/1/0/1', type: 'integer', value: 600 }
    ])
    const fetch = device.log.at(-1)
    expect(fetch).toMatchObject({ method: 'FETCH', url: '/' })
    const w = await call<OperationResultDto>('devices.writeComposite', {
      endpoint: 'nc-dev',
      records: [
        { path: '/1/0/1', type: 'integer', value: 900 },
        { path: '/3/0/1', type: 'string', value: 'Widget 3000' }
      ]
    })
    expect(w.code).toBe('2.04')
    expect(device.values.get('/1/0/1')).toBe(900)
    expect(device.values.get('/3/0/1')).toBe('Widget 3000')
  })

  it('Observe-Composite (INFO-02) with attributes in the query', async () => {
    const o = await call<ObserveResultDto>('devices.observeComposite', { endpoint: 'nc-dev', paths: ['/3/0/9', '/3303/0/5700'], attributes: 'pmin=1', attributesRoute: 'query' })
    expect(o.code).toBe('2.05')
    expect(o.observationId).not.toBeNull()
    expect(o.records.map((x) => x.path)).toEqual(['/3/0/9', '/3303/0/5700'])
    expect(device.log.at(-1)).toMatchObject({ method: 'FETCH', url: '/?pmin=1' })
    await call('devices.cancelObservation', { observationId: o.observationId, mode: 'rst' })
  })

  it('Send (C §6.4.4) on /dp arrives as a devices.send event with typed records', async () => {
    const pack = JSON.stringify([{ bn: '/3303/0/', n: '5700', v: 19.75 }])
    const r = await device.request(coapPort, 'POST', '/dp', '', pack, 'application/senml+json')
    expect(r.code).toBe('2.04')
    await until(() => events.some(([n]) => n === 'devices.send'))
    const e = events.find(([n]) => n === 'devices.send')?.[1] as { endpoint: string; result: OperationResultDto }
    expect(e.endpoint).toBe('nc-dev')
    expect(e.result.records).toEqual([{ path: '/3303/0/5700', type: 'float', value: 19.75 }])
  })

  it('RFC 7959: a 3 MB firmware image goes out block-wise (Block1) and comes back block-wise (Block2)', async () => {
    const image = Buffer.alloc(3 * 1024 * 1024)
    for (let i = 0; i < image.length; i++) image[i] = (i * 31 + (i >> 10)) & 0xff
    const w = await call<OperationResultDto>('devices.write', { endpoint: 'nc-dev', path: '/5/0/0', records: [{ path: '/5/0/0', type: 'opaque', value: image.toString('hex') }] })
    expect(w.code).toBe('2.04')
    expect(device.blobs.get('/5/0/0')?.equals(image)).toBe(true)
    const r = await call<OperationResultDto>('devices.read', { endpoint: 'nc-dev', path: '/5/0/0' })
    expect(r.code).toBe('2.05')
    expect(r.contentFormat).toBe(42)
    expect(r.records[0]?.value).toBe(image.toString('hex'))
  }, 120_000)

  it('Gw-Enab-01: a gateway prefix addresses the end device behind it (/dev1/3/0/9)', async () => {
    const r = await call<OperationResultDto>('devices.read', { endpoint: 'nc-dev', path: '/dev1/3/0/9' })
    expect(r.code).toBe('2.05')
    expect(r.records).toEqual([{ path: '/3/0/9', type: 'integer', value: 87 }])
    expect(device.log.at(-1)?.url).toBe('/dev1/3/0/9')
  })

  it('an unknown device and a bad path are clear errors, not crashes', async () => {
    await expect(call('devices.read', { endpoint: 'ghost', path: '/3/0' })).rejects.toThrow(/devices.not_registered/)
    await expect(call('devices.read', { endpoint: 'nc-dev', path: '/3/70000' })).rejects.toThrow(/devices.invalid_request/)
  })
})

describe('raw registration messages from libcoap coap-client (T §6.4.3)', () => {
  const client = ['coap-client', 'coap-client-notls'].map((c) => `/usr/bin/${c}`).find((p) => existsSync(p)) as string
  // Asynchronous on purpose: the server under test runs in this process and must keep answering.
  const send = (method: string, uri: string, payload?: string) =>
    new Promise<{ status: number; stdout: string; stderr: string }>((resolve) =>
      execFile(client, ['-m', method, ...(payload ? ['-t', '40', '-e', payload] : []), uri], { timeout: 20_000 }, (err, stdout, stderr) =>
        resolve({ status: err ? 1 : 0, stdout, stderr })
      )
    )

  it('Register → Update → De-register, and 4.12 for an unsupported version (VER-01)', async () => {
    const reg = await send('post', `coap://127.0.0.1:${coapPort}/rd?ep=libcoap-dev&lt=60&lwm2m=1.2&b=U`, '</1/0>,</3/0>')
    expect(reg.status).toBe(0)
    const d = await call<DeviceDetail>('devices.get', { endpoint: 'libcoap-dev' })
    expect(d.lwm2mVersion).toBe('1.2')
    const upd = await send('post', `coap://127.0.0.1:${coapPort}/rd/${d.registrationId}?lt=90`)
    expect(upd.status).toBe(0)
    expect((await call<DeviceDetail>('devices.get', { endpoint: 'libcoap-dev' })).lifetime).toBe(90)
    await send('delete', `coap://127.0.0.1:${coapPort}/rd/${d.registrationId}`)
    // Ended: devices.get still tells what it was, never as live (issue 13 item 10); reads are refused.
    expect(await call('devices.get', { endpoint: 'libcoap-dev' })).toMatchObject({ state: 'deregistered' })
    await expect(call('devices.read', { endpoint: 'libcoap-dev', path: '/3/0' })).rejects.toThrow(/not_registered/)
    const bad = await send('post', `coap://127.0.0.1:${coapPort}/rd?ep=x&lt=60&lwm2m=9.9`, '</3/0>')
    expect(bad.stdout + bad.stderr).toMatch(/4\.12/)
  })
})

describe('bad packets from any peer leave the server running', () => {
  it('garbage, truncated and malformed CoAP datagrams, then a normal Register still works', async () => {
    const s = createSocket('udp4')
    const garbage = [Buffer.from([]), Buffer.from([0x40]), Buffer.from([0x4f, 0x01, 0, 1]), Buffer.from([0x40, 0x02, 0, 2, 0xff]), Buffer.from([0x80, 1, 2, 3]), Buffer.from('hello world'), Buffer.alloc(1200, 0xff)]
    for (const g of garbage) for (const port of [coapPort, bsPort]) s.send(g, port, '127.0.0.1')
    await new Promise((r) => setTimeout(r, 200))
    s.close()
    const again = await NodeCoapDevice.start()
    expect((await again.register(coapPort, 'after-garbage')).code).toBe('2.01')
    await again.close()
  })
})

describe('Bootstrap Server (C §6.1)', () => {
  const config = (endpoint: string, allowPack = true) => ({
    endpoint,
    discoverFirst: false,
    deletePaths: ['/0', '/1'],
    security: [
      { instanceId: 0, uri: `coap://127.0.0.1:${coapPort}`, bootstrapServer: false, securityMode: 3, shortServerId: 101 },
      { instanceId: 1, uri: 'coaps://bs.example.com:5684', bootstrapServer: true, securityMode: 0, publicKeyOrIdentity: '6964656e74', secretKey: '000102030405060708090a0b0c0d0e0f' }
    ],
    servers: [{ instanceId: 0, shortServerId: 101, lifetime: 300, notificationStoring: true, binding: 'U' }],
    contentFormat: 'auto',
    allowPack
  })

  it('configurations are stored sealed and come back intact; inconsistent ones are refused', async () => {
    await call('bootstrap.configs.put', { config: config('bs-dev') })
    const got = await call<{ config: { security: { secretKey?: string }[] } }>('bootstrap.configs.get', { endpoint: 'bs-dev' })
    expect(got.config.security[1]?.secretKey).toBe('000102030405060708090a0b0c0d0e0f')
    const { DatabaseSync } = await import('node:sqlite')
    const db = new DatabaseSync(`${dir.path}/workbench.sqlite`)
    const stored = (db.prepare('SELECT config FROM bootstrap_configs WHERE endpoint = ?').get('bs-dev') as { config: string }).config
    db.close()
    expect(stored).toMatch(/^enc:v1:/)
    expect(stored).not.toContain('000102030405060708090a0b0c0d0e0f')
    await expect(call('bootstrap.configs.put', { config: { ...config('bad'), servers: [{ instanceId: 0, shortServerId: 7, lifetime: 1, notificationStoring: false, binding: 'U' }] } })).rejects.toThrow(/bootstrap.invalid_config/)
  })

  it('Bootstrap-Request: Delete, Write of every account, Finish — recorded step by step', async () => {
    const device = await NodeCoapDevice.start()
    const r = await device.request(bsPort, 'POST', '/bs', 'ep=bs-dev')
    expect(r.code).toBe('2.04')
    await until(() => device.log.some((l) => l.method === 'POST' && l.url === '/bs'))
    expect(device.log.map((l) => `${l.method} ${l.url}`)).toEqual(['DELETE /0', 'DELETE /1', 'PUT /0/0', 'PUT /0/1', 'PUT /1/0', 'POST /bs'])
    await until(() => events.some(([n, p]) => n === 'bootstrap.progress' && (p as { change: string }).change === 'finished'))
    const { runs } = await call<{ runs: BootstrapRunDto[] }>('bootstrap.runs.list', { endpoint: 'bs-dev' })
    expect(runs[0]).toMatchObject({ outcome: 'success', kind: 'request' })
    expect(runs[0]?.steps.map((s) => s.code)).toEqual(['2.02', '2.02', '2.04', '2.04', '2.04', '2.04'])
    await device.close()
  })

  it('Bootstrap-Pack-Request (Opt-01): the whole configuration as SenML CBOR, read back with cbor-x', async () => {
    const device = await NodeCoapDevice.start()
    const r = await device.request(bsPort, 'GET', '/bspack', 'ep=bs-dev', undefined, undefined, 'application/senml+cbor')
    expect(r.code).toBe('2.05')
    const pack = cborDecode(r.payload) as Record<number, unknown>[]
    // SenML (RFC 8428 §4.5.1): a base name holds until the next record that sets one.
    let bn = ''
    const names = pack.map((rec) => {
      if (rec[-2] !== undefined) bn = String(rec[-2])
      return bn + String(rec[0] ?? '')
    })
    expect(names).toContain('/0/0/0')
    expect(names).toContain('/1/0/1')
    await call('bootstrap.configs.put', { config: config('no-pack', false) })
    expect((await device.request(bsPort, 'GET', '/bspack', 'ep=no-pack', undefined, undefined, 'application/senml+cbor')).code).toBe('4.05')
    await device.close()
  })
})

describe('INFO-01/03: observation attributes are checked before they go out (C §5.1.2)', () => {
  let device: NodeCoapDevice
  beforeAll(async () => {
    device = await NodeCoapDevice.start()
    expect((await device.register(coapPort, 'attr-dev')).code).toBe('2.01')
  })
  afterAll(() => device.close())

  it('refuses pmax < pmin, a bad edge and gt on a string resource, naming the rule; force sends anyway', async () => {
    const sent = device.log.length
    await expect(call('devices.observe', { endpoint: 'attr-dev', path: '/3303/0/5700', attributes: 'pmin=60&pmax=10&edge=2' })).rejects.toThrow(/devices.invalid_request: attributes: .*(pmax|edge)/)
    await expect(call('devices.writeAttributes', { endpoint: 'attr-dev', path: '/3/0/0', attributes: 'gt=5' })).rejects.toThrow(/devices.invalid_request/)
    expect(device.log.length).toBe(sent) // nothing reached the device
    const forced = await call<OperationResultDto>('devices.writeAttributes', { endpoint: 'attr-dev', path: '/3/0/0', attributes: 'gt=5', force: true })
    expect(device.log.at(-1)?.url).toBe('/3/0/0?gt=5')
    expect(forced.code).toBe('2.04')
  })
})
