// SPDX-License-Identifier: Apache-2.0
// The capture of DTLS traffic (issue 15 item 7, issue 16 "Done when"): with the key log on, the
// live capture of a simulated device talking coaps:// to our server names its LwM2M operations from
// the decrypted plaintext, and the pcapng the app exports opens in tshark with the CoAP decrypted
// through the Decryption Secrets Block alone (no key log file handed to tshark).
import { mkdtempSync, rmSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import type { CapturePage } from '../../src-main/contract/capture'
import type { DeviceDetail } from '../../src-main/contract/devices'
import { startBench, until, type SimBench } from '../helpers/simulator'
import { runProcess } from '../helpers/run-process'

const KEY = '000102030405060708090a0b0c0d0e0f'
let bench: SimBench
let dir: string

beforeAll(async () => {
  bench = await startBench({ dtls: true })
  dir = mkdtempSync(join(tmpdir(), 'dtls-capture-'))
})
afterAll(async () => {
  await bench.close()
  rmSync(dir, { recursive: true, force: true })
})


describe('capturing DTLS (issue 15 item 7, issue 16)', () => {
  it('live frames carry the plaintext; the exported pcapng decrypts in tshark by its secrets block', async () => {
    await bench.call('settings.set', { key: 'dtls.keyLog', value: true })
    await bench.call('capture.clear', {})
    await bench.call('security.put', { endpoint: 'cap-dtls', mode: 'psk', identity: 'cap-dtls', key: KEY })
    await bench.call('simulator.start', { endpoint: 'cap-dtls', server: `coaps://127.0.0.1:${bench.coapsPort}`, pskKey: KEY })
    await until('registered', async () => {
      try {
        return await bench.call<DeviceDetail>('devices.get', { endpoint: 'cap-dtls' })
      } catch {
        return undefined
      }
    })
    await bench.call('devices.read', { endpoint: 'cap-dtls', path: '/3/0/0' })
    // The capture names the operations inside the DTLS records.
    const page = await until('the DTLS frames analysed', async () => {
      const p = await bench.call<CapturePage>('capture.list', { filter: 'transport=dtls && (op=register || op=read)', limit: 100 })
      return p.frames.some((f) => f.op === 'register') && p.frames.some((f) => f.op === 'read') ? p : undefined
    })
    expect(page.frames.find((f) => f.op === 'register')?.endpoint).toBe('cap-dtls')
    const out = join(dir, 'fleet.pcapng')
    await bench.call('capture.export', { path: out, format: 'pcapng' })
    const port = String(bench.coapsPort)
    const r = await runProcess('tshark', ['-r', out, '-d', `udp.port==${port},dtls`, '-d', `dtls.port==${port},coap`, '-Y', 'coap', '-T', 'fields', '-e', 'coap.code', '-e', 'coap.opt.uri_path'])
    expect(r.status, r.out).toBe(0)
    expect(r.out).toMatch(/\b2\b\s+rd/)
    expect(r.out).toMatch(/\b1\b\s+3,0,0/)
    await bench.call('settings.set', { key: 'dtls.keyLog', value: false })
  })
})
