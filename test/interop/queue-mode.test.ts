// Queue mode (T §6.5) with a real node-coap device: requests to a sleeping device wait in a visible
// queue, one can be cancelled, and the rest go out one at a time after the device's next message.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { createWorkbench, type Workbench } from '../../src-main/services/workbench'
import type { DeviceDetail, OperationResultDto } from '../../src-main/contract/devices'
import type { SystemInfo } from '../../src-main/contract/system'
import { NodeCoapDevice } from '../helpers/coap-device'
import { tempDir } from '../helpers/temp-dir'
import { callIn } from '../helpers/in-process'

let dir: ReturnType<typeof tempDir>
let wb: Workbench
let device: NodeCoapDevice
let port = 0
const events: [string, unknown][] = []

const call = <T>(method: string, params: unknown): Promise<T> => callIn<T>(wb, method, params)

beforeAll(async () => {
  dir = tempDir()
  wb = createWorkbench({ dataDir: dir.path, log: () => {} })
  // A short awake window so the device "falls asleep" within the test.
  await call('settings.set', { key: 'server.queueAwakeSeconds', value: 1 })
  wb.events.subscribe((n, p) => events.push([n, p]))
  await wb.startListeners({ coap: { host: '127.0.0.1', port: 0 }, bootstrap: null })
  port = (await call<SystemInfo>('system.info', {})).capabilities.listeners[0]?.port as number
  device = await NodeCoapDevice.start()
  expect((await device.register(port, 'sleepy', '&Q')).code).toBe('2.01')
})
afterAll(async () => {
  await device.close()
  await wb.close()
  dir.cleanup()
})

describe('queue mode against a node-coap device', () => {
  it('queues while asleep, lets one be cancelled, and flushes in order after an Update', async () => {
    expect((await call<DeviceDetail>('devices.get', { endpoint: 'sleepy' })).queueMode).toBe(true)
    await new Promise((r) => setTimeout(r, 1300))
    const sent = device.log.length
    const a = call<OperationResultDto>('devices.read', { endpoint: 'sleepy', path: '/3/0/0' })
    const b = call<OperationResultDto>('devices.read', { endpoint: 'sleepy', path: '/3/0/1' }).catch((e: Error) => e)
    const c = call<OperationResultDto>('devices.read', { endpoint: 'sleepy', path: '/3/0/9' })
    await new Promise((r) => setTimeout(r, 100))
    const { queue } = await call<{ queue: { id: string; path: string }[] }>('devices.queue', { endpoint: 'sleepy' })
    expect(queue.map((q) => q.path)).toEqual(['/3/0/0', '/3/0/1', '/3/0/9'])
    expect(device.log.length).toBe(sent) // nothing went out to the sleeping device
    expect(events.some(([n]) => n === 'devices.queue')).toBe(true)
    expect(await call('devices.cancel', { endpoint: 'sleepy', requestId: queue[1]?.id })).toMatchObject({ cancelled: true, state: 'queued' })
    expect(String(await b)).toMatch(/devices.cancelled/)
    // The device wakes up: its Update lets the queue go, one request at a time.
    const d = await call<DeviceDetail>('devices.get', { endpoint: 'sleepy' })
    expect((await device.request(port, 'POST', `/rd/${d.registrationId}`, '')).code).toBe('2.04')
    expect((await a).records[0]?.value).toBe('Acme Devices')
    expect((await c).records[0]?.value).toBe(87)
    expect(device.log.slice(sent).map((l) => l.url)).toEqual(['/3/0/0', '/3/0/9'])
    expect((await call<{ queue: unknown[] }>('devices.queue', { endpoint: 'sleepy' })).queue).toEqual([])
  })
})
