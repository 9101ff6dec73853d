// SPDX-License-Identifier: Apache-2.0
// Handshake frames pinned in the live capture (issue 16 item 4: "exports always include the
// handshake frames of the sessions they contain (pin them in the ring buffer), even when
// filtered"): a simulated device talks coaps:// (PSK) to our server long enough for the bounded
// capture to drop its oldest frames; the session's handshake stays, and an export filtered to
// `op=read` still decrypts in tshark by its Decryption Secrets Block alone.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { join } from 'node:path'
import type { CapturePage } from '../../src-main/contract/capture'
import { FrameStore } from '../../src-main/core/inspect/frame-store'
import { startBench, allRegistered, type SimBench } from '../helpers/simulator'
import { runProcess } from '../helpers/run-process'
import { tempDir } from '../helpers/temp-dir'

const KEY = '000102030405060708090a0b0c0d0e0f'
let bench: SimBench
const dir = tempDir()

beforeAll(async () => {
  bench = await startBench({ dtls: true })
})
afterAll(async () => {
  await bench?.close()
  dir.cleanup()
})

describe('pinned DTLS handshakes in the live capture (issue 16 item 4)', () => {
  it('a ring buffer overflow keeps the session\'s handshake; a filtered export (op=read) decrypts in tshark', async () => {
    // A small ring (a few kilobytes per chunk) so that some hundred frames overflow it; the
    // settings' smallest budget (1 MiB) would need thousands.
    const store = new FrameStore({ maxBytes: 3 * (4096 + 8192 * 72), chunkBytes: 4096 })
    bench.wb.capture.store = store
    await bench.call('settings.set', { key: 'dtls.keyLog', value: true })
    await bench.call('capture.clear', {})
    await bench.call('security.put', { endpoint: 'pin-dev', mode: 'psk', identity: 'pin-dev', key: KEY })
    await bench.call('simulator.start', { endpoint: 'pin-dev', server: `coaps://127.0.0.1:${bench.coapsPort}`, pskKey: KEY })
    await allRegistered(bench, ['pin-dev'])
    const registerIds = (await bench.call<CapturePage>('capture.list', { filter: 'op=register', limit: 10 })).frames.map((f) => f.id)
    expect(registerIds.length).toBeGreaterThan(0)
    for (let n = 0; n < 400 && (store.dropped === 0 || store.has(registerIds[0] as number)); n++) {
      await bench.call('devices.read', { endpoint: 'pin-dev', path: '/3/0/0' })
    }
    expect(store.dropped).toBeGreaterThan(0)
    expect(store.has(registerIds[0] as number)).toBe(false)
    // The handshake frames (first record handshake or change_cipher_spec) are still there, a
    // ClientHello among them, below the ring's frames.
    expect(store.pinnedCount).toBeGreaterThan(0)
    const hello = store.bytes(store.firstId)?.wire
    expect(hello?.[0]).toBe(22)
    expect(hello?.[13]).toBe(1)
    const out = join(dir.path, 'reads.pcapng')
    const reads = (await bench.call<CapturePage>('capture.list', { filter: 'op=read', limit: 1000 })).frames
    expect(reads.length).toBeGreaterThan(2)
    await bench.call('capture.export', { path: out, format: 'pcapng', filter: 'op=read' })
    const port = String(bench.coapsPort)
    const r = await runProcess('tshark', ['-r', out, '-d', `udp.port==${port},dtls`, '-d', `dtls.port==${port},coap`, '-Y', 'coap', '-T', 'fields', '-e', 'coap.code', '-e', 'coap.opt.uri_path'])
    expect(r.status, r.out).toBe(0)
    const lines = r.out.split('\n').filter((l) => /^\d+\t/.test(l))
    // Every read frame of the export decrypted: requests GET /3/0/0, answers 2.05 (69).
    expect(lines.length).toBe(reads.length)
    expect(lines.filter((l) => /^1\t3,0,0$/.test(l)).length).toBeGreaterThan(0)
    expect(lines.filter((l) => /^69\t/.test(l)).length).toBeGreaterThan(0)
    await bench.call('settings.set', { key: 'dtls.keyLog', value: false })
  }, 60_000)
})
