// Issue 12 item 11 on real UDP sockets (BS-01, C §6.1.3.3; Bootstrap-Pack C §6.1.7.7): a node-coap
// device whose Bootstrap-Discover shows its own Bootstrap-Server account at /0/0 — the id the
// configuration also uses — and which would accept a write there. The Bootstrap Server must keep
// off /0/0 in the Bootstrap-Request sequence and in the Pack, and refuse a second BS account.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { BootstrapConfig, BootstrapRunDto } from '../../src-main/contract/bootstrap'
import type { SystemInfo } from '../../src-main/contract/system'
import { createWorkbench, type Workbench } from '../../src-main/services/workbench'
import { NodeCoapDevice } from '../helpers/coap-device'
import { callIn } from '../helpers/in-process'
import { tempDir } from '../helpers/temp-dir'

const DISCOVER = '</>;lwm2m=1.2,</0/0>,</0/1>;ssid=101;uri="coap://old.example",</1/0>;ssid=101,</3/0>'
let dir: ReturnType<typeof tempDir>
let wb: Workbench
let bsPort = 0
const call = <T>(method: string, params: unknown): Promise<T> => callIn<T>(wb, method, params)
const config = (endpoint: string, extra: BootstrapConfig['security'] = []): BootstrapConfig => ({
  endpoint,
  discoverFirst: true,
  deletePaths: ['/0', '/1'],
  security: [{ instanceId: 0, uri: 'coap://127.0.0.1:5683', bootstrapServer: false, securityMode: 3, shortServerId: 101 }, ...extra],
  servers: [{ instanceId: 0, shortServerId: 101, lifetime: 300, notificationStoring: true, binding: 'U' }],
  contentFormat: 'auto',
  allowPack: true
})
const SECOND_BS = [{ instanceId: 5, uri: 'coap://bs2.example.com:5783', bootstrapServer: true, securityMode: 3 as const }]
const finishedRun = async (endpoint: string): Promise<BootstrapRunDto> => {
  const end = Date.now() + 5000
  for (;;) {
    const run = (await call<{ runs: BootstrapRunDto[] }>('bootstrap.runs.list', { endpoint })).runs[0]
    if (run && run.outcome !== 'running') return run
    if (Date.now() > end) throw new Error(`no finished run for ${endpoint}`)
    await new Promise((r) => setTimeout(r, 20))
  }
}

beforeAll(async () => {
  dir = tempDir()
  wb = createWorkbench({ dataDir: dir.path, log: () => {} })
  await wb.startListeners({ coap: null, bootstrap: { host: '127.0.0.1', port: 0 } })
  bsPort = (await call<SystemInfo>('system.info', {})).capabilities.listeners.find((l) => l.role === 'Bootstrap Server')?.port ?? 0
  await call('bootstrap.configs.put', { config: config('clash') })
  await call('bootstrap.configs.put', { config: config('second', SECOND_BS) })
  await call('bootstrap.configs.put', { config: config('no-ssid') })
  const rotate = { uri: 'coaps://bs.example.com:5684', securityMode: 3 as const }
  await call('bootstrap.configs.put', { config: { ...config('rotate-no-ssid'), rotateBootstrapAccount: rotate } })
  await call('bootstrap.configs.put', { config: { ...config('rotate-no-bs'), rotateBootstrapAccount: rotate } })
})
afterAll(async () => {
  await wb.close()
  dir.cleanup()
})

describe('item 11: the client\'s own Bootstrap-Server account is never written (BS-01)', () => {
  it('Bootstrap-Request: the Security instance configured at /0/0 is written at /0/1, and the run says so', async () => {
    const device = await NodeCoapDevice.start()
    device.bootstrapDiscover = DISCOVER
    expect((await device.request(bsPort, 'POST', '/bs', 'ep=clash')).code).toBe('2.04')
    const run = await finishedRun('clash')
    const puts = device.log.filter((l) => l.method === 'PUT').map((l) => l.url)
    expect(puts).not.toContain('/0/0')
    expect(puts).toEqual(['/0/1', '/1/0'])
    expect(run).toMatchObject({ outcome: 'success', bootstrapAccount: 0, config: { endpoint: 'clash', matched: 'endpoint' } })
    expect(run.instances[0]).toMatchObject({ configured: '/0/0', used: '/0/1' })
    await device.close()
  })
  it('Bootstrap-Pack with acc=</0/0>: no /0/0 record in the Pack', async () => {
    const device = await NodeCoapDevice.start()
    const r = await device.request(bsPort, 'GET', '/bspack', 'ep=clash&acc=</0/0>', undefined, undefined, 'application/senml+json')
    expect(r.code).toBe('2.05')
    let bn = ''
    const names = (JSON.parse(r.payload.toString()) as { bn?: string; n?: string }[]).map((x) => {
      if (x.bn !== undefined) bn = x.bn
      return bn + (x.n ?? '')
    })
    expect(names.filter((n) => n.startsWith('/0/0/'))).toEqual([])
    expect(names).toContain('/0/1/0')
    await device.close()
  })
  it('a second Bootstrap-Server account is refused: nothing deleted or written, and the Pack answers 4.05', async () => {
    const device = await NodeCoapDevice.start()
    device.bootstrapDiscover = DISCOVER
    expect((await device.request(bsPort, 'POST', '/bs', 'ep=second')).code).toBe('2.04')
    const run = await finishedRun('second')
    expect(run.outcome).toBe('failed')
    expect(run.detail).toMatch(/already has a Bootstrap-Server account \(\/0\/0\); a second one is refused/)
    expect(device.log.map((l) => l.method)).toEqual(['GET'])
    const pack = await device.request(bsPort, 'GET', '/bspack', 'ep=second&acc=</0/0>', undefined, undefined, 'application/senml+json')
    expect(pack.code).toBe('4.05')
    expect(pack.payload.toString()).toMatch(/a second one is refused/)
    await device.close()
  })
})

describe('a client that leaves ssid out of Bootstrap-Discover (T §6.4.2: every /0 instance without ssid looks like the BS account)', () => {
  // Both /0/0 and /0/1 come without ssid: either may be the account, so neither is written.
  const SLOPPY = '</>;lwm2m=1.1,</0/0>,</0/1>,</0/65535>,</1/0>,</3/0>'

  it('writes the configured /0/0 at the first id that is neither, and the run names both', async () => {
    const device = await NodeCoapDevice.start()
    device.bootstrapDiscover = SLOPPY
    expect((await device.request(bsPort, 'POST', '/bs', 'ep=no-ssid')).code).toBe('2.04')
    const run = await finishedRun('no-ssid')
    const puts = device.log.filter((l) => l.method === 'PUT').map((l) => l.url)
    expect(puts).toEqual(['/0/2', '/1/0'])
    expect(run.outcome).toBe('success')
    expect(run.instances[0]).toMatchObject({ configured: '/0/0', used: '/0/2', note: expect.stringMatching(/may be the client's own Bootstrap-Server account: Bootstrap-Discover shows 2 \/0 instances without ssid \(\/0\/0, \/0\/1\)/) })
    await device.close()
  })

  it('BS-01 rotation is refused when the account is ambiguous, before anything is deleted', async () => {
    const device = await NodeCoapDevice.start()
    device.bootstrapDiscover = SLOPPY
    expect((await device.request(bsPort, 'POST', '/bs', 'ep=rotate-no-ssid')).code).toBe('2.04')
    const run = await finishedRun('rotate-no-ssid')
    expect(run).toMatchObject({ outcome: 'failed', detail: expect.stringMatching(/BS-01 rotation refused: .*2 \/0 instances without ssid \(\/0\/0, \/0\/1\)/) })
    expect(device.log.map((l) => l.method)).toEqual(['GET'])
    await device.close()
  })

  it('BS-01 rotation with no Bootstrap-Server account shown is refused before anything is deleted', async () => {
    const device = await NodeCoapDevice.start()
    device.bootstrapDiscover = '</>;lwm2m=1.1,</0/1>;ssid=101,</1/0>;ssid=101,</3/0>'
    expect((await device.request(bsPort, 'POST', '/bs', 'ep=rotate-no-bs')).code).toBe('2.04')
    const run = await finishedRun('rotate-no-bs')
    expect(run).toMatchObject({ outcome: 'failed', detail: expect.stringMatching(/showed no Bootstrap-Server account; nothing was written/) })
    expect(device.log.map((l) => l.method)).toEqual(['GET'])
    await device.close()
  })
})
