// Issue 14: the simulator against the project's own LwM2M Server over real UDP sockets, through
// every Device Management and Information Reporting operation and every format, driven through
// the devices.* contract as the UI drives it.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DeviceDetail, JsonRecord, ObserveResultDto, OperationResultDto } from '../../src-main/contract/devices'
import type { SimulatedDeviceDto } from '../../src-main/contract/simulator'
import { CF } from '../../src-main/core/lwm2m/content-format'
import { allRegistered, startBench, until, type SimBench } from '../helpers/simulator'

let bench: SimBench
const call = <T>(method: string, params: unknown): Promise<T> => bench.call<T>(method, params)
const read = (endpoint: string, path: string, format?: string) => call<OperationResultDto>('devices.read', { endpoint, path, ...(format ? { format } : {}) })
const value = (r: OperationResultDto, path: string): unknown => r.records.find((x) => x.path === path)?.value
const notifications = (observationId: string) =>
  bench.events.filter(([n, p]) => n === 'devices.notification' && (p as { observationId: string }).observationId === observationId).map(([, p]) => (p as { result: OperationResultDto }).result)

beforeAll(async () => {
  bench = await startBench()
  await call('simulator.start', { profile: 'sensor', server: bench.serverUri, endpoint: 'dm-12' })
  await call('simulator.start', { profile: 'sensor', server: bench.serverUri, endpoint: 'dm-11', lwm2m: '1.1', format: 'tlv' })
  await call('simulator.start', { profile: 'sensor', server: bench.serverUri, endpoint: 'dm-10', lwm2m: '1.0' })
  await allRegistered(bench, ['dm-12', 'dm-11', 'dm-10'])
})
afterAll(async () => {
  await bench?.close()
})

describe('a simulated 1.2 device against our LwM2M Server', () => {
  it('registers with the objects of its profile and the lwm2m version asked for', async () => {
    const d = await call<DeviceDetail>('devices.get', { endpoint: 'dm-12' })
    expect(d.lwm2mVersion).toBe('1.2')
    expect(d.objects.map((o) => o.path)).toEqual(expect.arrayContaining(['/1/0', '/3/0', '/3303/0', '/3342/0']))
    expect((await call<DeviceDetail>('devices.get', { endpoint: 'dm-11' })).lwm2mVersion).toBe('1.1')
    expect((await call<DeviceDetail>('devices.get', { endpoint: 'dm-10' })).lwm2mVersion).toBe('1.0')
  })

  it.each([
    ['tlv', CF.TLV],
    ['senml-json', CF.SENML_JSON],
    ['senml-cbor', CF.SENML_CBOR],
    ['lwm2m-cbor', CF.LWM2M_CBOR]
  ])('Read /3/0 and /3303/0/5700 in %s', async (format, cf) => {
    const dev = await read('dm-12', '/3/0', format)
    expect(dev).toMatchObject({ code: '2.05', contentFormat: cf, violations: [] })
    expect(value(dev, '/3/0/0')).toBe('LwM2M Workbench')
    expect(value(dev, '/3/0/2')).toBe('SN-dm-12')
    expect(dev.records.find((r) => r.path === '/3/0/11/0')?.value).toBe(0)
    const t = await read('dm-12', '/3303/0/5700', format)
    expect(t).toMatchObject({ code: '2.05', contentFormat: cf, violations: [] })
    expect(typeof value(t, '/3303/0/5700')).toBe('number')
  })

  it('Read a single resource as text, and the default format is the device\'s preferred one', async () => {
    const t = await read('dm-12', '/3303/0/5701', 'text')
    expect(t).toMatchObject({ code: '2.05', contentFormat: CF.TEXT, records: [{ path: '/3303/0/5701', value: 'Cel' }] })
    const n = await read('dm-12', '/3303/0/5700', 'text')
    expect(n.code).toBe('2.05')
    expect(typeof value(n, '/3303/0/5700')).toBe('number')
    const plain = await read('dm-12', '/3/0')
    expect(plain).toMatchObject({ code: '2.05', contentFormat: CF.SENML_CBOR })
    // Text for a whole instance is refused (4.06 Not Acceptable).
    expect((await read('dm-12', '/3/0', 'text')).code).toBe('4.06')
  })

  it('Discover with depth', async () => {
    const obj = await call<OperationResultDto>('devices.discover', { endpoint: 'dm-12', path: '/3303' })
    expect(obj.code).toBe('2.05')
    const text = Buffer.from(obj.payloadHex, 'hex').toString()
    expect(text).toContain('</3303>')
    expect(text).toContain('</3303/0>')
    expect(text).toContain('</3303/0/5700>')
    const shallow = Buffer.from((await call<OperationResultDto>('devices.discover', { endpoint: 'dm-12', path: '/3303', depth: 1 })).payloadHex, 'hex').toString()
    expect(shallow).toContain('</3303/0>')
    expect(shallow).not.toContain('</3303/0/5700>')
    const deep = Buffer.from((await call<OperationResultDto>('devices.discover', { endpoint: 'dm-12', path: '/3/0', depth: 3 })).payloadHex, 'hex').toString()
    expect(deep).toContain('</3/0/11/0>')
  })

  it('Write, then Read back', async () => {
    const w = await call<OperationResultDto>('devices.write', { endpoint: 'dm-12', path: '/3342/0/5750', records: [{ path: '/3342/0/5750', type: 'string', value: 'Window' }] })
    expect(w.code).toBe('2.04')
    expect(value(await read('dm-12', '/3342/0/5750'), '/3342/0/5750')).toBe('Window')
    // Partial update of an instance (POST), then Replace of the whole instance (PUT).
    const p = await call<OperationResultDto>('devices.write', { endpoint: 'dm-12', path: '/1/0', partial: true, records: [{ path: '/1/0/1', type: 'integer', value: 600 }] })
    expect(p.code).toBe('2.04')
    expect(value(await read('dm-12', '/1/0/1'), '/1/0/1')).toBe(600)
    // A read-only resource cannot be written (4.05).
    const ro = await call<OperationResultDto>('devices.write', { endpoint: 'dm-12', path: '/3/0/0', records: [{ path: '/3/0/0', type: 'string', value: 'x' }] })
    expect(ro.code).toBe('4.05')
  })

  it('Write-Attributes, visible in Discover', async () => {
    const wa = await call<OperationResultDto>('devices.writeAttributes', { endpoint: 'dm-12', path: '/3303/0/5700', attributes: 'pmin=2&pmax=30' })
    expect(wa.code).toBe('2.04')
    const text = Buffer.from((await call<OperationResultDto>('devices.discover', { endpoint: 'dm-12', path: '/3303/0/5700' })).payloadHex, 'hex').toString()
    expect(text).toMatch(/<\/3303\/0\/5700>[^,]*pmin=2/)
    expect(text).toMatch(/pmax=30/)
    const clear = await call<OperationResultDto>('devices.writeAttributes', { endpoint: 'dm-12', path: '/3303/0/5700', attributes: 'pmin&pmax' })
    expect(clear.code).toBe('2.04')
  })

  it('Create with partial resources creates only those given; Delete removes it', async () => {
    // 5750 (optional, RW) is given; 5700 (mandatory, read-only) is filled by the device, its value
    // in the payload ignored; the other optional resources are not instantiated (DMSE-02).
    const c = await call<OperationResultDto>('devices.create', {
      endpoint: 'dm-12',
      path: '/3303',
      records: [
        { path: '/3303/7/5700', type: 'float', value: 12.5 },
        { path: '/3303/7/5750', type: 'string', value: 'Fridge' }
      ]
    })
    expect(c).toMatchObject({ code: '2.01', locationPath: '/3303/7' })
    const r = await read('dm-12', '/3303/7')
    expect(r.code).toBe('2.05')
    expect(r.records.map((x) => x.path).sort()).toEqual(['/3303/7/5700', '/3303/7/5750'])
    expect(value(r, '/3303/7/5700')).toBe(0)
    expect(value(r, '/3303/7/5750')).toBe('Fridge')
    // The new instance is announced with an Update.
    await until('/3303/7 in the registration', async () => ((await call<DeviceDetail>('devices.get', { endpoint: 'dm-12' })).objects.some((o) => o.path === '/3303/7') ? true : undefined))
    expect((await call<OperationResultDto>('devices.delete', { endpoint: 'dm-12', path: '/3303/7' })).code).toBe('2.02')
    expect((await read('dm-12', '/3303/7')).code).toBe('4.04')
    await until('/3303/7 gone from the registration', async () => ((await call<DeviceDetail>('devices.get', { endpoint: 'dm-12' })).objects.some((o) => o.path === '/3303/7') ? undefined : true))
    // The Device object cannot be created or deleted (DMSE-01: 4.05).
    expect((await call<OperationResultDto>('devices.delete', { endpoint: 'dm-12', path: '/3/0' })).code).toBe('4.05')
  })

  it('Read-Composite and Write-Composite', async () => {
    const rc = await call<OperationResultDto>('devices.readComposite', { endpoint: 'dm-12', paths: ['/3/0/0', '/3303/0/5701', '/3342/0'] })
    expect(rc.code).toBe('2.05')
    expect(value(rc, '/3/0/0')).toBe('LwM2M Workbench')
    expect(value(rc, '/3303/0/5701')).toBe('Cel')
    expect(rc.records.some((r) => r.path === '/3342/0/5500')).toBe(true)
    const wc = await call<OperationResultDto>('devices.writeComposite', {
      endpoint: 'dm-12',
      records: [
        { path: '/3342/0/5750', type: 'string', value: 'Hatch' },
        { path: '/1/0/1', type: 'integer', value: 700 }
      ]
    })
    expect(wc.code).toBe('2.04')
    const back = await call<OperationResultDto>('devices.readComposite', { endpoint: 'dm-12', paths: ['/3342/0/5750', '/1/0/1'], format: 'senml-json' })
    expect(back).toMatchObject({ code: '2.05', contentFormat: CF.SENML_JSON })
    expect(value(back, '/3342/0/5750')).toBe('Hatch')
    expect(value(back, '/1/0/1')).toBe(700)
    // The new lifetime reaches the server with an Update.
    await until('lifetime 700 at the server', async () => ((await call<DeviceDetail>('devices.get', { endpoint: 'dm-12' })).lifetime === 700 ? true : undefined))
    // Write-Composite touching a read-only resource changes nothing (4.05).
    const ro = await call<OperationResultDto>('devices.writeComposite', {
      endpoint: 'dm-12',
      records: [
        { path: '/3342/0/5750', type: 'string', value: 'never' },
        { path: '/3303/0/5701', type: 'string', value: 'Far' }
      ]
    })
    expect(ro.code).toBe('4.05')
    expect(value(await read('dm-12', '/3342/0/5750'), '/3342/0/5750')).toBe('Hatch')
  })

  it('Observe a sensor with pmin/pmax: notifications carry the values set on the device; cancel ends them', async () => {
    const obs = await call<ObserveResultDto>('devices.observe', { endpoint: 'dm-12', path: '/3303/0/5700', attributes: 'pmin=0&pmax=60' })
    expect(obs.code).toBe('2.05')
    const id = obs.observationId as string
    expect(id).toBeTruthy()
    for (const v of [31.5, 32.25, -4]) {
      await call('simulator.set', { endpoint: 'dm-12', path: '/3303/0/5700', value: v })
      await until(`a notification with ${v}`, () => (notifications(id).some((r) => value(r, '/3303/0/5700') === v) ? true : undefined))
    }
    expect((await call<SimulatedDeviceDto>('simulator.device', { endpoint: 'dm-12' })).observations).toBeGreaterThan(0)
    const c = await call<{ cancelled: boolean }>('devices.cancelObservation', { observationId: id })
    expect(c.cancelled).toBe(true)
    await until('the device to forget the observation', async () => ((await call<SimulatedDeviceDto>('simulator.device', { endpoint: 'dm-12' })).observations === 0 ? true : undefined))
    const before = notifications(id).length
    await call('simulator.set', { endpoint: 'dm-12', path: '/3303/0/5700', value: 99 })
    await new Promise((r) => setTimeout(r, 300))
    expect(notifications(id).length).toBe(before)
  })

  it('pmin holds back a change until it has passed', async () => {
    const obs = await call<ObserveResultDto>('devices.observe', { endpoint: 'dm-12', path: '/3342/0/5750', attributes: 'pmin=1' })
    const id = obs.observationId as string
    const start = Date.now()
    await call('simulator.set', { endpoint: 'dm-12', path: '/3342/0/5750', value: 'pmin-test' })
    await until('the held-back notification', () => (notifications(id).some((r) => value(r, '/3342/0/5750') === 'pmin-test') ? true : undefined))
    expect(Date.now() - start).toBeGreaterThanOrEqual(900)
    await call('devices.cancelObservation', { observationId: id })
  })

  it('pmax sends a notification without any change', async () => {
    const obs = await call<ObserveResultDto>('devices.observe', { endpoint: 'dm-12', path: '/3/0/0', attributes: 'pmax=1' })
    const id = obs.observationId as string
    await until('two pmax notifications', () => (notifications(id).length >= 2 ? true : undefined), 10_000)
    expect(notifications(id).every((r) => value(r, '/3/0/0') === 'LwM2M Workbench')).toBe(true)
    await call('devices.cancelObservation', { observationId: id })
  })

  it('Observe-Composite notifies when one of its paths changes', async () => {
    const obs = await call<ObserveResultDto>('devices.observeComposite', { endpoint: 'dm-12', paths: ['/3303/0/5700', '/3342/0/5750'] })
    expect(obs.code).toBe('2.05')
    const id = obs.observationId as string
    expect(obs.records.map((r) => r.path)).toEqual(expect.arrayContaining(['/3303/0/5700', '/3342/0/5750']))
    await call('simulator.set', { endpoint: 'dm-12', path: '/3342/0/5750', value: 'composite' })
    const n = await until('a composite notification', () => notifications(id).find((r) => value(r, '/3342/0/5750') === 'composite'))
    expect(n.records.some((r: JsonRecord) => r.path === '/3303/0/5700')).toBe(true)
    await call('devices.cancelObservation', { observationId: id })
  })

  it('Execute /3/0/4 (Reboot): the device answers, then registers again', async () => {
    const before = await call<DeviceDetail>('devices.get', { endpoint: 'dm-12' })
    const at = bench.events.length
    const x = await call<OperationResultDto>('devices.execute', { endpoint: 'dm-12', path: '/3/0/4' })
    expect(x.code).toBe('2.04')
    await until('a new registration', () => (bench.events.slice(at).some(([n, p]) => n === 'devices.registered' && JSON.stringify(p).includes('dm-12')) ? true : undefined))
    const after = await until('registered again', async () => {
      const d = await call<DeviceDetail>('devices.get', { endpoint: 'dm-12' })
      return d.state === 'registered' && d.registrationId !== before.registrationId ? d : undefined
    })
    expect(after.registeredAt >= before.registeredAt).toBe(true)
    expect((await read('dm-12', '/3/0/0')).code).toBe('2.05')
  })
})

describe('1.1 and 1.0 devices (TLV)', () => {
  it('1.1: Read in TLV by default, Write, Observe and Read-Composite', async () => {
    const r = await read('dm-11', '/3/0')
    expect(r).toMatchObject({ code: '2.05', contentFormat: CF.TLV, violations: [] })
    expect(value(r, '/3/0/0')).toBe('LwM2M Workbench')
    const w = await call<OperationResultDto>('devices.write', { endpoint: 'dm-11', path: '/3342/0/5750', records: [{ path: '/3342/0/5750', type: 'string', value: 'eleven' }], format: 'tlv' })
    expect(w.code).toBe('2.04')
    expect(value(await read('dm-11', '/3342/0/5750', 'tlv'), '/3342/0/5750')).toBe('eleven')
    const obs = await call<ObserveResultDto>('devices.observe', { endpoint: 'dm-11', path: '/3303/0/5700' })
    expect(obs.code).toBe('2.05')
    await call('simulator.set', { endpoint: 'dm-11', path: '/3303/0/5700', value: 11.5 })
    await until('a 1.1 notification', () => (notifications(obs.observationId as string).some((x) => value(x, '/3303/0/5700') === 11.5) ? true : undefined))
    await call('devices.cancelObservation', { observationId: obs.observationId })
    const rc = await call<OperationResultDto>('devices.readComposite', { endpoint: 'dm-11', paths: ['/3/0/0', '/3303/0/5701'], format: 'senml-json' })
    expect(rc.code).toBe('2.05')
  })

  it('1.0: TLV, Write, Write-Attributes and Observe', async () => {
    const r = await read('dm-10', '/3/0')
    expect(r).toMatchObject({ code: '2.05', contentFormat: CF.TLV, violations: [] })
    expect(value(await read('dm-10', '/3303/0/5701', 'tlv'), '/3303/0/5701')).toBe('Cel')
    const w = await call<OperationResultDto>('devices.write', { endpoint: 'dm-10', path: '/3342/0/5750', records: [{ path: '/3342/0/5750', type: 'string', value: 'ten' }] })
    expect(w.code).toBe('2.04')
    expect(value(await read('dm-10', '/3342/0/5750'), '/3342/0/5750')).toBe('ten')
    expect((await call<OperationResultDto>('devices.writeAttributes', { endpoint: 'dm-10', path: '/3303/0/5700', attributes: 'pmin=0' })).code).toBe('2.04')
    const obs = await call<ObserveResultDto>('devices.observe', { endpoint: 'dm-10', path: '/3303/0/5700', format: 'tlv' })
    expect(obs).toMatchObject({ code: '2.05', contentFormat: CF.TLV })
    await call('simulator.set', { endpoint: 'dm-10', path: '/3303/0/5700', value: 10.25 })
    await until('a 1.0 notification', () => (notifications(obs.observationId as string).some((x) => value(x, '/3303/0/5700') === 10.25) ? true : undefined))
    await call('devices.cancelObservation', { observationId: obs.observationId })
  })
})
