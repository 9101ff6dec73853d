// Issue 14: simulated devices bootstrapped from each source against the project's own Bootstrap
// Server and LwM2M Server over UDP: factory data (--server), client-initiated Bootstrap-Request,
// Bootstrap-Pack-Request first on 1.2 with fallback to Bootstrap-Request (Opt-01), and smartcard
// data from a card file (`lwm2m-wb simulate --card-file`, facts §4.1).
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { spawn } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import type { BootstrapConfig, BootstrapRunDto } from '../../src-main/contract/bootstrap'
import type { DeviceDetail, OperationResultDto } from '../../src-main/contract/devices'
import type { FleetDto, SimulatedDeviceDto } from '../../src-main/contract/simulator'
import { CF } from '../../src-main/core/lwm2m/content-format'
import { encodePayload } from '../../src-main/core/lwm2m/formats/registry'
import type { Lwm2mRecord } from '../../src-main/core/lwm2m/record'
import { BIN } from '../helpers/cli'
import { allRegistered, startBench, until, type SimBench } from '../helpers/simulator'
import { tempDir } from '../helpers/temp-dir'

let bench: SimBench
const call = <T>(method: string, params: unknown): Promise<T> => bench.call<T>(method, params)

const config = (endpoint: string, ssid: number, lifetime: number, allowPack: boolean): BootstrapConfig => ({
  endpoint,
  discoverFirst: true,
  deletePaths: ['/0', '/1'],
  security: [{ instanceId: 1, uri: bench.serverUri, bootstrapServer: false, securityMode: 3, shortServerId: ssid }],
  servers: [{ instanceId: 0, shortServerId: ssid, lifetime, notificationStoring: false, binding: 'U' }],
  contentFormat: 'auto',
  allowPack
})
const runs = async (endpoint: string): Promise<BootstrapRunDto[]> => (await call<{ runs: BootstrapRunDto[] }>('bootstrap.runs.list', { endpoint })).runs
const fleet = async (fleetId: string): Promise<FleetDto> => {
  const f = (await call<{ fleets: FleetDto[] }>('simulator.list', {})).fleets.find((x) => x.fleetId === fleetId)
  if (!f) throw new Error(`no fleet ${fleetId}`)
  return f
}

beforeAll(async () => {
  bench = await startBench()
})
afterAll(async () => {
  await bench?.close()
})

describe('bootstrap from each source', () => {
  it('factory (server given): registers at once, no bootstrap run, counted as not bootstrapped', async () => {
    const { fleetId } = await call<{ fleetId: string }>('simulator.start', { server: bench.serverUri, endpoint: 'bs-factory' })
    await allRegistered(bench, ['bs-factory'])
    expect(await runs('bs-factory')).toEqual([])
    const dev = await call<SimulatedDeviceDto>('simulator.device', { endpoint: 'bs-factory' })
    expect(dev.servers).toMatchObject([{ ssid: 101, uri: bench.serverUri, state: 'registered' }])
    expect(await fleet(fleetId)).toMatchObject({ role: 'server', bootstrapped: 0, failures: 0, states: { registered: 1 } })
  })

  it('client-initiated Bootstrap-Request (1.1): runs the stored configuration and registers where it was sent', async () => {
    await call('bootstrap.configs.put', { config: config('bs-req', 202, 1111, true) })
    const { fleetId } = await call<{ fleetId: string }>('simulator.start', { bootstrap: bench.bsUri, endpoint: 'bs-req', lwm2m: '1.1' })
    await allRegistered(bench, ['bs-req'])
    const [run] = await runs('bs-req')
    expect(run).toMatchObject({ kind: 'request', outcome: 'success', config: { endpoint: 'bs-req', matched: 'endpoint' }, clientVersion: '1.1' })
    // The device kept its own Bootstrap-Server account (BS-01), and the configured one is beside it.
    expect(run?.bootstrapAccount).toBe(0)
    const d = await call<DeviceDetail>('devices.get', { endpoint: 'bs-req' })
    expect(d).toMatchObject({ lwm2mVersion: '1.1', lifetime: 1111 })
    const ssid = await call<OperationResultDto>('devices.read', { endpoint: 'bs-req', path: '/1/0/0' })
    expect(ssid.records[0]?.value).toBe(202)
    const dev = await call<SimulatedDeviceDto>('simulator.device', { endpoint: 'bs-req' })
    expect(dev.servers).toMatchObject([{ ssid: 202, uri: bench.serverUri, state: 'registered' }])
    expect(await fleet(fleetId)).toMatchObject({ role: 'bootstrap', bootstrapped: 1, states: { registered: 1 } })
  })

  it('1.2 with allowPack: Bootstrap-Pack-Request, no Bootstrap-Request', async () => {
    await call('bootstrap.configs.put', { config: config('bs-pack', 303, 2222, true) })
    await call('simulator.start', { bootstrap: bench.bsUri, endpoint: 'bs-pack' })
    await allRegistered(bench, ['bs-pack'])
    const all = await runs('bs-pack')
    expect(all.map((r) => [r.kind, r.outcome])).toEqual([['pack', 'success']])
    expect(await call<DeviceDetail>('devices.get', { endpoint: 'bs-pack' })).toMatchObject({ lwm2mVersion: '1.2', lifetime: 2222 })
    expect((await call<OperationResultDto>('devices.read', { endpoint: 'bs-pack', path: '/1/0/0' })).records[0]?.value).toBe(303)
  })

  it('1.2 without allowPack: the Pack is refused (4.05) and the device falls back to Bootstrap-Request (Opt-01)', async () => {
    await call('bootstrap.configs.put', { config: config('bs-fallback', 404, 3333, false) })
    await call('simulator.start', { bootstrap: bench.bsUri, endpoint: 'bs-fallback', format: 'senml-json' })
    await allRegistered(bench, ['bs-fallback'])
    const all = await runs('bs-fallback')
    const request = all.find((r) => r.kind === 'request')
    expect(request).toMatchObject({ outcome: 'success', clientVersion: '1.2', format: CF.SENML_JSON })
    expect(all.filter((r) => r.kind === 'pack').every((r) => r.outcome === 'failed')).toBe(true)
    expect(await call<DeviceDetail>('devices.get', { endpoint: 'bs-fallback' })).toMatchObject({ lifetime: 3333 })
    expect((await call<OperationResultDto>('devices.read', { endpoint: 'bs-fallback', path: '/1/0/0' })).records[0]?.value).toBe(404)
  })

  it('no configuration for the endpoint: the bootstrap fails and the fleet says so', async () => {
    const { fleetId } = await call<{ fleetId: string }>('simulator.start', { bootstrap: bench.bsUri, endpoint: 'bs-unknown', lwm2m: '1.1' })
    const f = await until('the failure to be counted', async () => {
      const x = await fleet(fleetId)
      return x.states.failed === 1 ? x : undefined
    })
    expect(f.failures).toBeGreaterThanOrEqual(1)
    const dev = await call<SimulatedDeviceDto>('simulator.device', { endpoint: 'bs-unknown' })
    expect(dev.state).toBe('failed')
    expect(dev.detail).toMatch(/bootstrap/i)
  })

  it('smartcard data from `lwm2m-wb simulate --card-file`: registers to the server named in the card', async () => {
    const dir = tempDir()
    try {
      const file = join(dir.path, 'lwm2m-bootstrap.bin')
      writeFileSync(file, cardFile([
        [0, [
          { path: [0, 0, 0], value: { type: 'string', value: bench.serverUri } },
          { path: [0, 0, 1], value: { type: 'boolean', value: false } },
          { path: [0, 0, 2], value: { type: 'integer', value: 3 } },
          { path: [0, 0, 10], value: { type: 'integer', value: 77 } }
        ]],
        [1, [
          { path: [1, 0, 0], value: { type: 'integer', value: 77 } },
          { path: [1, 0, 1], value: { type: 'integer', value: 4444 } },
          { path: [1, 0, 6], value: { type: 'boolean', value: false } },
          { path: [1, 0, 7], value: { type: 'string', value: 'U' } }
        ]]
      ], 8))
      const sim = spawnSimulate(['--card-file', file, '--endpoint', 'card-1'])
      try {
        await allRegistered(bench, ['card-1'], 20_000)
        expect(await call<DeviceDetail>('devices.get', { endpoint: 'card-1' })).toMatchObject({ lifetime: 4444, lwm2mVersion: '1.2' })
        expect((await call<OperationResultDto>('devices.read', { endpoint: 'card-1', path: '/1/0/0' })).records[0]?.value).toBe(77)
        expect((await call<OperationResultDto>('devices.read', { endpoint: 'card-1', path: '/3/0/0' })).code).toBe('2.05')
        // The Security object is the card's business, never a server's (4.01).
        expect((await call<OperationResultDto>('devices.read', { endpoint: 'card-1', path: '/0/0' })).code).toBe('4.01')
        expect(sim.output()).toMatch(/started 1 device/)
      } finally {
        expect(await sim.interrupt()).toBe(130)
      }
      await until('card-1 de-registered', async () => ((await call<{ total: number }>('devices.list', { filter: 'card-1' })).total === 0 ? true : undefined))
    } finally {
      dir.cleanup()
    }
  })

  it('`lwm2m-wb simulate --card-file` with a file holding no bootstrap data exits non-zero with the reason', async () => {
    const dir = tempDir()
    try {
      const file = join(dir.path, 'empty.bin')
      writeFileSync(file, new Uint8Array([0, 0, 0, 0, 0xff, 0xff]))
      const sim = spawnSimulate(['--card-file', file, '--endpoint', 'card-2'])
      expect(await sim.exited).not.toBe(0)
      expect(sim.output()).toMatch(/no bootstrap data/)
    } finally {
      dir.cleanup()
    }
  })
})

/** EF LwM2M_Bootstrap (facts §4.1): num_objects, total_size, then per object id, version 00, length, TLV; FF padding. */
function cardFile(objects: Array<[number, Lwm2mRecord[]]>, padding: number): Uint8Array {
  const entries = objects.map(([id, records]) => {
    const tlv = encodePayload(CF.TLV, records, { path: [id] })
    const e = new Uint8Array(5 + tlv.length)
    e.set([id >> 8, id & 0xff, 0x00, tlv.length >> 8, tlv.length & 0xff])
    e.set(tlv, 5)
    return e
  })
  const size = entries.reduce((n, e) => n + e.length, 0)
  const out = new Uint8Array(4 + size + padding).fill(0xff)
  out.set([objects.length >> 8, objects.length & 0xff, size >> 8, size & 0xff])
  let at = 4
  for (const e of entries) {
    out.set(e, at)
    at += e.length
  }
  return out
}

function spawnSimulate(args: string[]): { output: () => string; exited: Promise<number | null>; interrupt: () => Promise<number | null> } {
  const child = spawn(process.execPath, [BIN, 'simulate', ...args])
  let out = ''
  child.stdout.on('data', (d) => (out += d))
  child.stderr.on('data', (d) => (out += d))
  const exited = new Promise<number | null>((resolve) => child.on('exit', (code) => resolve(code)))
  return {
    output: () => out,
    exited,
    interrupt: async () => {
      if (child.exitCode === null) child.kill('SIGINT')
      const t = setTimeout(() => child.kill('SIGKILL'), 15_000)
      const code = await exited
      clearTimeout(t)
      return code
    }
  }
}
