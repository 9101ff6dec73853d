// Issue 14: a 1 000-device simulated fleet (one UDP socket each) registering with our LwM2M
// Server in this process and being read; then stopped, which de-registers every device.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DevicesPage, OperationResultDto } from '../../src-main/contract/devices'
import type { FleetDto } from '../../src-main/contract/simulator'
import { registered, startBench, until, type SimBench } from '../helpers/simulator'

const N = 1000
let bench: SimBench
const call = <T>(method: string, params: unknown): Promise<T> => bench.call<T>(method, params)

beforeAll(async () => {
  bench = await startBench()
})
afterAll(async () => {
  await bench?.close()
})

describe(`a ${N}-device fleet`, () => {
  it('registers every device, each answers a Read, and stopping de-registers them all', async () => {
    const t0 = Date.now()
    const { fleetId, endpoints } = await call<{ fleetId: string; endpoints: string[] }>('simulator.start', { server: bench.serverUri, count: N, prefix: 'k-' })
    expect(endpoints).toHaveLength(N)
    const fleet = await until('the fleet to count every device registered', async () => {
      const f = (await call<{ fleets: FleetDto[] }>('simulator.list', {})).fleets.find((x) => x.fleetId === fleetId)
      return f && f.states.registered === N ? f : undefined
    }, 25_000, 100)
    expect(fleet).toMatchObject({ total: N, failures: 0, states: { failed: 0, registering: 0 } })
    const list = await registered(bench.call)
    expect(list.filter((d) => d.state === 'registered' && d.endpoint.startsWith('k-'))).toHaveLength(N)
    expect(new Set(list.map((d) => d.address)).size).toBe(N)
    const registeredMs = Date.now() - t0

    // Every device answers a Read, 100 at a time.
    for (let k = 0; k < N; k += 100) {
      const names = endpoints.slice(k, k + 100)
      const batch = await Promise.all(names.map((endpoint) => call<OperationResultDto>('devices.read', { endpoint, path: '/3/0/2' })))
      batch.forEach((r, j) => {
        expect(r.code).toBe('2.05')
        // The sensor profile's serial is "SN-{endpoint}": each answer comes from the device asked.
        expect(r.records[0]?.value).toBe(`SN-${names[j]}`)
      })
    }

    expect(await call('simulator.stop', { fleetId })).toEqual({ stopped: true })
    expect((await call<DevicesPage>('devices.list', { filter: 'k-' })).total).toBe(0)
    expect((await call<{ fleets: FleetDto[] }>('simulator.list', {})).fleets).toEqual([])
    // Registration plus reads fit well inside the suite's budget on a loaded machine.
    expect(registeredMs).toBeLessThan(25_000)
  })
})
