// Issue 14: the simulator's procedures beyond plain DM, over real UDP against the project's own
// servers — Send when Mute Send is false (C §6.4.4), server-initiated bootstrap through /1/x/9,
// Registration Update Trigger /1/x/8 with a binding argument, and a firmware update pulled from a
// Package URI served by an independent CoAP server (the `coap` npm package), block-wise.
import coap from 'coap'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { BootstrapRunDto } from '../../src-main/contract/bootstrap'
import type { DeviceDetail, OperationResultDto } from '../../src-main/contract/devices'
import { allRegistered, startBench, until, type SimBench } from '../helpers/simulator'

let bench: SimBench
const call = <T>(method: string, params: unknown): Promise<T> => bench.call<T>(method, params)
const read = (endpoint: string, path: string) => call<OperationResultDto>('devices.read', { endpoint, path })
const valueOf = (r: OperationResultDto, path: string): unknown => r.records.find((x) => x.path === path)?.value

/** A sensor with Object 5 (Firmware Update) for the pull test. */
const FIRMWARE_PROFILE = {
  name: 'fw',
  lwm2mVersion: '1.2',
  objects: [
    { id: 3, instances: [{ id: 0, resources: { '0': 'LwM2M Workbench', '3': '1.0.0', '11': [0], '16': 'U' } }] },
    { id: 5, instances: [{ id: 0, resources: { '1': '', '3': 0, '5': 0 } }] }
  ]
}

beforeAll(async () => {
  bench = await startBench()
})
afterAll(async () => {
  await bench?.close()
})

describe('simulated device procedures', () => {
  it('Send (C §6.4.4) is refused while Mute Send is absent, and reaches the server once /1/0/23 is false', async () => {
    await call('simulator.start', { profile: 'sensor', server: bench.serverUri, endpoint: 'send-1' })
    await allRegistered(bench, ['send-1'])
    await expect(call('simulator.send', { endpoint: 'send-1', paths: ['/3303/0/5700'] })).rejects.toThrow(/muted/i)
    const w = await call<OperationResultDto>('devices.write', { endpoint: 'send-1', path: '/1/0/23', records: [{ path: '/1/0/23', type: 'boolean', value: false }] })
    expect(w.code).toBe('2.04')
    await call('simulator.set', { endpoint: 'send-1', path: '/3303/0/5700', value: 31.5 })
    const sent = await call<{ code: string }>('simulator.send', { endpoint: 'send-1', paths: ['/3303/0/5700'] })
    expect(sent.code).toBe('2.04')
    const event = await until('devices.send', () => bench.events.find(([n, p]) => n === 'devices.send' && (p as { endpoint: string }).endpoint === 'send-1'))
    const records = (event[1] as { result: OperationResultDto }).result.records
    expect(records.find((r) => r.path === '/3303/0/5700')?.value).toBe(31.5)
  })

  it('server-initiated bootstrap: Execute /1/0/9 makes the device bootstrap again and register where it was sent', async () => {
    const config = {
      endpoint: 'sib-1', discoverFirst: true, deletePaths: ['/0', '/1'],
      security: [{ instanceId: 1, uri: bench.serverUri, bootstrapServer: false, securityMode: 3, shortServerId: 123 }],
      servers: [{ instanceId: 0, shortServerId: 123, lifetime: 600, notificationStoring: false, binding: 'U' }],
      contentFormat: 'auto', allowPack: false
    }
    await call('bootstrap.configs.put', { config })
    await call('simulator.start', { profile: 'sensor', bootstrap: bench.bsUri, endpoint: 'sib-1', lwm2m: '1.1' })
    await allRegistered(bench, ['sib-1'])
    const first = await call<DeviceDetail>('devices.get', { endpoint: 'sib-1' })
    const runsBefore = (await call<{ runs: BootstrapRunDto[] }>('bootstrap.runs.list', { endpoint: 'sib-1' })).runs.length
    expect(runsBefore).toBe(1)
    const x = await call<OperationResultDto>('devices.execute', { endpoint: 'sib-1', path: '/1/0/9' })
    expect(x.code).toBe('2.04')
    const runs = await until('a second bootstrap run', async () => {
      const r = (await call<{ runs: BootstrapRunDto[] }>('bootstrap.runs.list', { endpoint: 'sib-1' })).runs
      return r.length === 2 && r.every((run) => run.outcome === 'success') ? r : undefined
    })
    expect(runs).toHaveLength(2)
    const again = await until('registered again', async () => {
      const d = await call<DeviceDetail>('devices.get', { endpoint: 'sib-1' })
      return d.registrationId !== first.registrationId ? d : undefined
    })
    expect(again.lifetime).toBe(600)
  })

  it('Registration Update Trigger /1/0/8 with a binding argument sends an Update (facts §7: `0=\'U\'`)', async () => {
    await call('simulator.start', { profile: 'sensor', server: bench.serverUri, endpoint: 'upd-1' })
    await allRegistered(bench, ['upd-1'])
    const before = bench.events.filter(([n, p]) => n === 'devices.updated' && (p as { device: { endpoint: string } }).device.endpoint === 'upd-1').length
    const x = await call<OperationResultDto>('devices.execute', { endpoint: 'upd-1', path: '/1/0/8', args: "0='U'" })
    expect(x.code).toBe('2.04')
    await until('an Update', () => {
      const n = bench.events.filter(([name, p]) => name === 'devices.updated' && (p as { device: { endpoint: string } }).device.endpoint === 'upd-1').length
      return n > before ? n : undefined
    })
  })

  it('firmware push (facts §5.1): a 6 KiB Package written through our server (more than one RFC 7959 block), then Update → Result 1', async () => {
    await call('simulator.start', { profile: FIRMWARE_PROFILE, server: bench.serverUri, endpoint: 'fwp-1' })
    await allRegistered(bench, ['fwp-1'])
    const image = Buffer.concat([Buffer.from('3.1.4\n'), Buffer.alloc(6 * 1024, 0xa5)])
    const w = await call<OperationResultDto>('devices.write', { endpoint: 'fwp-1', path: '/5/0/0', records: [{ path: '/5/0/0', type: 'opaque', value: image.toString('hex') }], format: 'opaque' })
    expect(w.code).toBe('2.04')
    expect(valueOf(await read('fwp-1', '/5/0/3'), '/5/0/3')).toBe(2)
    expect((await call<OperationResultDto>('devices.execute', { endpoint: 'fwp-1', path: '/5/0/2' })).code).toBe('2.04')
    await until('Idle with Update Result 1', async () => {
      const r = await read('fwp-1', '/5/0')
      return valueOf(r, '/5/0/3') === 0 && valueOf(r, '/5/0/5') === 1 ? true : undefined
    }, 20_000)
    expect(valueOf(await read('fwp-1', '/3/0/3'), '/3/0/3')).toBe('3.1.4')
    // Executing Update again without a new package is refused (State is Idle).
    expect((await call<OperationResultDto>('devices.execute', { endpoint: 'fwp-1', path: '/5/0/2' })).code).toBe('4.05')
  })

  it('firmware pull (facts §5.1): Package URI from an independent CoAP server, block-wise, then Update → Result 1 and the new version', async () => {
    // The package: its first line names the version the device reports after updating.
    const pkg = Buffer.concat([Buffer.from('2.0.0\n'), Buffer.alloc(3000, 0x5a)])
    const packageServer = coap.createServer()
    packageServer.on('request', (req: { url: string }, res: { code: string; end: (b?: Buffer) => void }) => {
      if (req.url === '/fw.bin') res.end(pkg)
      else {
        res.code = '4.04'
        res.end()
      }
    })
    await new Promise<void>((resolve) => packageServer.listen(0, '127.0.0.1', () => resolve()))
    const port = (packageServer as unknown as { _sock: { address(): { port: number } } })._sock.address().port
    try {
      await call('simulator.start', { profile: FIRMWARE_PROFILE, server: bench.serverUri, endpoint: 'fw-1' })
      await allRegistered(bench, ['fw-1'])
      const w = await call<OperationResultDto>('devices.write', { endpoint: 'fw-1', path: '/5/0/1', records: [{ path: '/5/0/1', type: 'string', value: `coap://127.0.0.1:${port}/fw.bin` }] })
      expect(w.code).toBe('2.04')
      await until('Downloaded (State 2)', async () => (valueOf(await read('fw-1', '/5/0/3'), '/5/0/3') === 2 ? true : undefined))
      const x = await call<OperationResultDto>('devices.execute', { endpoint: 'fw-1', path: '/5/0/2' })
      expect(x.code).toBe('2.04')
      await until('Idle with Update Result 1', async () => {
        const r = await read('fw-1', '/5/0')
        return valueOf(r, '/5/0/3') === 0 && valueOf(r, '/5/0/5') === 1 ? true : undefined
      }, 20_000)
      expect(valueOf(await read('fw-1', '/3/0/3'), '/3/0/3')).toBe('2.0.0')
      // A URI the device cannot use: Result 7 (invalid URI) or 9 (unsupported protocol), State 0.
      await call('devices.write', { endpoint: 'fw-1', path: '/5/0/1', records: [{ path: '/5/0/1', type: 'string', value: 'ftp://example.com/fw.bin' }] })
      await until('Result 9', async () => (valueOf(await read('fw-1', '/5/0/5'), '/5/0/5') === 9 ? true : undefined))
    } finally {
      await new Promise<void>((resolve) => packageServer.close(() => resolve()))
    }
  })
})
