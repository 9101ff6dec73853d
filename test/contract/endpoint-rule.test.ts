// Issue 12 item 7 (one endpoint-name rule, counted in bytes, also in the contract) and item 8
// (system.info shows registrations against the cap), through the dispatcher.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { join } from 'node:path'
import { createWorkbench, type Workbench } from '../../src-main/services/workbench'
import type { SystemInfo } from '../../src-main/contract/system'
import { tempDir } from '../helpers/temp-dir'
import { callIn } from '../helpers/in-process'

let dir: ReturnType<typeof tempDir>
let wb: Workbench
const call = <T>(method: string, params: unknown): Promise<T> => callIn<T>(wb, method, params)

beforeAll(async () => {
  dir = tempDir()
  wb = createWorkbench({ dataDir: join(dir.path, 'data'), log: () => {} })
  await wb.startListeners({ coap: { host: '127.0.0.1', port: 0 }, bootstrap: null })
})
afterAll(async () => {
  await wb.close()
  dir.cleanup()
})

describe('item 7: endpoint names in the contract', () => {
  it.each([
    ['257 bytes', 'x'.repeat(257)],
    ['86 × € = 258 bytes (86 characters)', '€'.repeat(86)],
    ['NUL', 'a\u0000b'],
    ['ESC', '\u001b[0m'],
    ['a lone surrogate', 'a\uD800']
  ])('%s is refused as invalid params', async (_label, endpoint) => {
    await expect(call('devices.get', { endpoint })).rejects.toThrow(/rpc\.invalid_params/)
  })
  it('256 bytes of UTF-8 passes the schema (and then is simply not registered)', async () => {
    await expect(call('devices.get', { endpoint: '€'.repeat(85) })).rejects.toThrow(/devices\.not_registered/)
  })
})

describe('item 8: system.info shows registrations against the cap', () => {
  it('count and max, and the max follows the setting at once', async () => {
    expect((await call<SystemInfo>('system.info', {})).registrations).toEqual({ count: 0, max: 100_000 })
    await call('settings.set', { key: 'server.maxRegistrations', value: 5 })
    expect((await call<SystemInfo>('system.info', {})).registrations).toEqual({ count: 0, max: 5 })
  })
})

describe('issue 13 item 10: a device whose registration ended is never shown as live', () => {
  it('devices.get after De-register gives the last registration with state deregistered and endedAt', async () => {
    const { NodeCoapDevice } = await import('../helpers/coap-device')
    const info = await call<SystemInfo>('system.info', {})
    const port = info.capabilities.listeners.find((l) => l.role === 'LwM2M Server')?.port as number
    const device = await NodeCoapDevice.start()
    try {
      const reg = await device.register(port, 'ended-dev')
      expect(reg.code).toBe('2.01')
      const live = await call<{ state: string }>('devices.get', { endpoint: 'ended-dev' })
      expect(live.state).toBe('registered')
      expect((await device.request(port, 'DELETE', device.location, '')).code).toBe('2.02')
      const ended = await call<{ state: string; endedAt?: string; lwm2mVersion: string }>('devices.get', { endpoint: 'ended-dev' })
      expect(ended).toMatchObject({ state: 'deregistered', lwm2mVersion: '1.1' })
      expect(typeof ended.endedAt).toBe('string')
    } finally {
      await device.close()
    }
  })
})
