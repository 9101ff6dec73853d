// Issue 14 item 5: faults injected into a simulated device with simulator.inject, as our LwM2M
// Server sees them over UDP: an error code on a path, a malformed payload, a delay, dropped
// requests and silence (requests time out at their timeoutMs), and clearing them.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { OperationResultDto } from '../../src-main/contract/devices'
import type { SimulatedDeviceDto } from '../../src-main/contract/simulator'
import { allRegistered, startBench, type SimBench } from '../helpers/simulator'

let bench: SimBench
let fleetId = ''
const call = <T>(method: string, params: unknown): Promise<T> => bench.call<T>(method, params)
const read = (path: string, extra: Record<string, unknown> = {}) => call<OperationResultDto>('devices.read', { endpoint: 'bad-1', path, ...extra })
const inject = (params: Record<string, unknown>) => call<{ devices: number; faults: number }>('simulator.inject', { endpoint: 'bad-1', ...params })

beforeAll(async () => {
  bench = await startBench()
  fleetId = (await call<{ fleetId: string }>('simulator.start', { server: bench.serverUri, endpoint: 'bad-1', lifetime: 3600 })).fleetId
  await allRegistered(bench, ['bad-1'])
})
afterAll(async () => {
  await bench?.close()
})

describe('faults injected with simulator.inject', () => {
  it('an error code on a path answers requests there (and below) with it; elsewhere all is well', async () => {
    expect(await inject({ fault: { kind: 'error', path: '/3303/0', code: '5.03' } })).toEqual({ devices: 1, faults: 1 })
    expect((await read('/3303/0/5700')).code).toBe('5.03')
    expect((await read('/3303/0')).code).toBe('5.03')
    expect((await read('/3/0/0')).code).toBe('2.05')
    expect((await call<SimulatedDeviceDto>('simulator.device', { endpoint: 'bad-1' })).faults).toEqual([{ kind: 'error', path: '/3303/0', code: '5.03' }])
    expect(await inject({ clear: true })).toEqual({ devices: 1, faults: 0 })
    expect((await read('/3303/0/5700')).code).toBe('2.05')
  })

  it('an error for one operation only', async () => {
    await inject({ fault: { kind: 'error', path: '/3342/0/5750', code: '4.01', operation: 'write' } })
    const w = await call<OperationResultDto>('devices.write', { endpoint: 'bad-1', path: '/3342/0/5750', records: [{ path: '/3342/0/5750', type: 'string', value: 'x' }] })
    expect(w.code).toBe('4.01')
    expect((await read('/3342/0/5750')).code).toBe('2.05')
    await inject({ clear: true })
  })

  it('a malformed payload is reported by the server\'s decoder', async () => {
    await inject({ fault: { kind: 'malformed', share: 1, path: '/3/0' } })
    const r = await read('/3/0', { format: 'senml-json' })
    expect(r.code).toBe('2.05')
    expect(r.violations.length).toBeGreaterThan(0)
    await inject({ clear: true })
    expect((await read('/3/0', { format: 'senml-json' })).violations).toEqual([])
  })

  it('a delay holds every answer back by at least its ms', async () => {
    await inject({ fault: { kind: 'delay', share: 1, ms: 400 } })
    const t0 = Date.now()
    const r = await read('/3/0/0')
    expect(r.code).toBe('2.05')
    expect(Date.now() - t0).toBeGreaterThanOrEqual(350)
    await inject({ clear: true })
  })

  it('silent: a request times out at its timeoutMs; cleared, the device answers again', async () => {
    await inject({ fault: { kind: 'silent' } })
    const t0 = Date.now()
    await expect(read('/3/0/0', { timeoutMs: 1500 })).rejects.toThrow(/devices\.timeout/)
    expect(Date.now() - t0).toBeLessThan(10_000)
    const dev = await call<SimulatedDeviceDto>('simulator.device', { endpoint: 'bad-1' })
    expect(dev.dropped).toBeGreaterThan(0)
    await inject({ clear: true })
    expect((await read('/3/0/0', { timeoutMs: 10_000 })).code).toBe('2.05')
  })

  it('dropping every incoming message looks the same to the server as silence', async () => {
    await call('simulator.inject', { fleetId, fault: { kind: 'drop', share: 1, direction: 'in' } })
    await expect(read('/3/0/0', { timeoutMs: 1500 })).rejects.toThrow(/devices\.timeout/)
    await call('simulator.inject', { fleetId, clear: true })
    expect((await read('/3/0/0', { timeoutMs: 10_000 })).code).toBe('2.05')
  })

  it('refuses a fault without what its kind needs', async () => {
    await expect(inject({ fault: { kind: 'error', path: '/3/0' } })).rejects.toThrow(/rpc.invalid_params: an error fault needs path and code/)
    await expect(inject({ fault: { kind: 'drop' } })).rejects.toThrow(/share between 0 and 1/)
    await expect(inject({ fault: { kind: 'drop', share: 2 } })).rejects.toThrow(/share between 0 and 1/)
    await expect(inject({})).rejects.toThrow(/give a fault, or clear/)
    await expect(call('simulator.inject', { endpoint: 'nobody', clear: true })).rejects.toThrow(/no simulated device "nobody"/)
  })
})
