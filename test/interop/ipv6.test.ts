// The LwM2M Server on IPv6 (T §6.8: CoAP over UDP on IPv4 and IPv6), registered to by libcoap.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { execFile } from 'node:child_process'
import { existsSync } from 'node:fs'
import { createWorkbench, type Workbench } from '../../src-main/services/workbench'
import type { DeviceDetail } from '../../src-main/contract/devices'
import type { SystemInfo } from '../../src-main/contract/system'
import { tempDir } from '../helpers/temp-dir'

let dir: ReturnType<typeof tempDir>
let wb: Workbench
const client = ['coap-client', 'coap-client-notls'].map((c) => `/usr/bin/${c}`).find((p) => existsSync(p)) as string

beforeAll(async () => {
  dir = tempDir()
  wb = createWorkbench({ dataDir: dir.path, log: () => {} })
  await wb.startListeners({ coap: { host: '::1', port: 0 }, bootstrap: null })
})
afterAll(async () => {
  await wb.close()
  dir.cleanup()
})

describe('CoAP over UDP on IPv6 loopback', () => {
  it('a device registers over [::1] and is read back over IPv6', async () => {
    const info = (await wb.dispatcher.dispatch('system.info', {}, { carrier: 'in-process' })) as { ok: true; result: SystemInfo }
    const port = info.result.capabilities.listeners[0]?.port
    expect(info.result.capabilities.listeners[0]?.address).toBe('::1')
    await new Promise<void>((resolve, reject) =>
      execFile(client, ['-m', 'post', '-t', '40', '-e', '</3/0>', `coap://[::1]:${port}/rd?ep=v6-dev&lt=60&lwm2m=1.1`], { timeout: 20_000 }, (e) => (e ? reject(e) : resolve()))
    )
    const d = (await wb.dispatcher.dispatch('devices.get', { endpoint: 'v6-dev' }, { carrier: 'in-process' })) as { ok: true; result: DeviceDetail }
    expect(d.ok).toBe(true)
    expect(d.result.address).toMatch(/^\[::1\]:\d+$/)
  })
})
