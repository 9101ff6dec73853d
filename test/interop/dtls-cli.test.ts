// SPDX-License-Identifier: Apache-2.0
// Issue 15 "Done when", through the binaries: `lwm2m-wb serve` with its DTLS listener, a key stored
// with `lwm2m-wb call security.put`, libcoap's coap-client (OpenSSL and GnuTLS builds) registering
// over coaps:// with it, and a simulated device (`lwm2m-wb simulate --server coaps://…
// --psk-key-file`) registering over DTLS and read through `lwm2m-wb call devices.read`.
import { spawn } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { DevicesPage } from '../../src-main/contract/devices'
import type { Listener } from '../../src-main/contract/system'
import { BIN, runCliAsync, serve, type Served } from '../helpers/cli'
import { until } from '../helpers/simulator'
import { tempDir } from '../helpers/temp-dir'
import { runProcess } from '../helpers/run-process'

let data: ReturnType<typeof tempDir>
let served: Served
let coapsPort = 0
const call = async <T>(method: string, params: unknown): Promise<T> => {
  const r = await runCliAsync(['call', method, JSON.stringify(params), '--data-dir', data.path])
  if (r.status !== 0) throw new Error(r.stderr)
  return JSON.parse(r.stdout) as T
}


beforeAll(async () => {
  data = tempDir()
  served = await serve(data.path)
  const info = await call<{ capabilities: { listeners: Listener[] } }>('system.info', {})
  coapsPort = info.capabilities.listeners.find((l) => l.role === 'LwM2M Server' && l.transport.startsWith('coaps'))?.port ?? 0
  expect(coapsPort).toBeGreaterThan(0)
})
afterAll(async () => {
  await served?.stop()
  data?.cleanup()
})

describe('issue 15 "Done when" through lwm2m-wb serve and call', () => {
  for (const bin of ['coap-client-openssl', 'coap-client-gnutls']) {
    it(`${bin} registers over DTLS 1.2 PSK with a key stored through security.put`, async () => {
      const ep = `cli-${bin.endsWith('gnutls') ? 'g' : 'o'}`
      const ascii = 'cli-secret-key-1'
      await call('security.put', { endpoint: ep, mode: 'psk', identity: ep, key: Buffer.from(ascii).toString('hex') })
      const r = await runProcess(bin, ['-m', 'post', '-u', ep, '-k', ascii, '-e', '</3/0>', '-t', '40', '-B', '10', `coaps://127.0.0.1:${coapsPort}/rd?ep=${ep}&lt=120&lwm2m=1.1`])
      expect(r.status, r.out).toBe(0)
      const page = await call<DevicesPage>('devices.list', { filter: ep })
      expect(page.devices.map((d) => d.endpoint)).toContain(ep)
    })
  }

  it('a simulated device registers over DTLS and is read through lwm2m-wb call devices.read', async () => {
    const key = '00112233445566778899aabbccddeeff'
    await call('security.put', { endpoint: 'cli-sim', mode: 'psk', identity: 'cli-sim', key })
    const keyFile = join(data.path, 'psk.hex')
    writeFileSync(keyFile, key + '\n', { mode: 0o600 })
    const sim = spawn(process.execPath, [BIN, 'simulate', '--server', `coaps://127.0.0.1:${coapsPort}`, '--endpoint', 'cli-sim', '--psk-key-file', keyFile])
    const exited = new Promise((resolve) => sim.on('exit', resolve))
    try {
      await until('cli-sim registered', async () => ((await call<DevicesPage>('devices.list', { filter: 'cli-sim' })).total === 1 ? true : undefined), 30_000, 250)
      const r = await call<{ code: string; records: { path: string; value: unknown }[] }>('devices.read', { endpoint: 'cli-sim', path: '/3/0/0' })
      expect(r).toMatchObject({ code: '2.05', records: [{ path: '/3/0/0', value: 'LwM2M Workbench' }] })
    } finally {
      sim.kill('SIGINT')
      await exited
    }
  })
})
