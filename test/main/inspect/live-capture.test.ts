// SPDX-License-Identifier: Apache-2.0
// Issue 16 item 1: every frame in and out of the listeners and of the simulated devices is
// captured through the one process-wide tap, followed as exchanges, and bounded.
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startBench, allRegistered, until, type SimBench } from '../../helpers/simulator'
import { readFileSync } from 'node:fs'
import { join } from 'node:path'
import { processTap, tapKeyLog } from '../../../src-main/transports/capture-tap'
import { exportCaptureFile } from '../../../src-main/services/capture-files'
import { CaptureFileReader } from '../../../src-main/core/inspect/capture-file-reader'
import { tempDir } from '../../helpers/temp-dir'
import { UdpLink, udpPeer } from '../../../src-main/transports/udp'
import type { CaptureFrameDto } from '../../../src-main/contract/capture'
import type { FrameRow } from '../../../src-main/core/inspect/frame-store'

let bench: SimBench
beforeAll(async () => {
  bench = await startBench()
})
afterAll(async () => {
  await bench?.close()
})

function rows(): FrameRow[] {
  const out: FrameRow[] = []
  const store = bench.wb.capture.store
  store.scan(store.firstId, 1, (id) => {
    const r = store.row(id)
    if (r) out.push(r)
    return true
  })
  return out
}

describe('live capture (issue 16 item 1)', () => {
  it('captures a simulated device registering and being read, both sides, with the endpoint and paired exchanges', async () => {
    const { endpoints } = await bench.call<{ endpoints: string[] }>('simulator.start', { server: bench.serverUri, count: 2, prefix: 'cap-' })
    await allRegistered(bench, endpoints)
    const read = await bench.call<{ code: string }>('devices.read', { endpoint: endpoints[0], path: '/3/0' })
    expect(read.code).toBe('2.05')
    const all = rows()
    // Each Register leaves the device (out) and reaches the server (in): both sockets are tapped.
    const registers = all.filter((r) => r.op === 0 && r.code === 2 && r.ep === endpoints[0])
    expect(registers.map((r) => r.direction).sort()).toEqual(['in', 'out'])
    // Its 2.01 answers are Register responses, paired with the request they answer.
    const created = all.filter((r) => r.op === 0 && r.code === 65 && r.ep === endpoints[0])
    expect(created).toHaveLength(2)
    expect(created.every((r) => r.pair > 0)).toBe(true)
    const reads = all.filter((r) => r.ep === endpoints[0] && r.path === '/3/0' && r.code === 1)
    expect(reads.length).toBe(2)
    const responses = all.filter((r) => r.ep === endpoints[0] && r.code === 69 && r.path === '/3/0')
    expect(responses.length).toBe(2)
    for (const resp of responses) {
      expect(resp.pair).toBeGreaterThan(0)
      expect(resp.rtt).toBeGreaterThanOrEqual(0)
      expect(bench.wb.capture.store.row(resp.pair)?.code).toBe(1)
    }
    // Lists show each datagram once, as the server saw it: the Register coming in, its 2.01 going out.
    const listed = bench.wb.capture.list({ filter: `ep=${endpoints[0]} && op=register` }).frames
    expect(listed.map((f) => [f.direction, f.code])).toEqual([['in', 'POST'], ['out', '2.01']])
    // Live frames are announced in batches.
    const batch = await until('a capture.frames event', () => {
      const e = bench.events.find(([n]) => n === 'capture.frames')
      return e?.[1] as { frames: CaptureFrameDto[] } | undefined
    })
    expect(batch.frames.length).toBeGreaterThan(0)
    expect(batch.frames[0]).toHaveProperty('summary')
  })

  it('pausing stops building frames at all (the tap reports off), resuming takes them again', async () => {
    const a = await UdpLink.open({ host: '127.0.0.1', port: 0, tap: processTap })
    const b = await UdpLink.open({ host: '127.0.0.1', port: 0, tap: processTap })
    const got: Uint8Array[] = []
    b.onReceive((_p, d) => got.push(d))
    try {
      const before = bench.wb.capture.store.count
      bench.wb.capture.pause(true)
      expect(processTap.off).toBe(true)
      a.send(udpPeer('127.0.0.1', b.port), new Uint8Array([0x40, 0x01, 0x00, 0x01]))
      await until('the datagram', () => (got.length === 1 ? true : undefined))
      expect(bench.wb.capture.store.count).toBe(before)
      bench.wb.capture.pause(false)
      expect(processTap.off).toBe(false)
      a.send(udpPeer('127.0.0.1', b.port), new Uint8Array([0x40, 0x01, 0x00, 0x02]))
      await until('the second datagram', () => (got.length === 2 ? true : undefined))
      expect(bench.wb.capture.store.count).toBe(before + 2)
    } finally {
      await a.close()
      await b.close()
    }
  })

  it('a DTLS key log line handed to the tap is written into pcapng exports as a secrets block', () => {
    tapKeyLog('CLIENT_RANDOM 00aa 11bb')
    const dir = tempDir()
    try {
      const out = join(dir.path, 'k.pcapng')
      exportCaptureFile(bench.wb.capture, out, 'pcapng')
      const secrets: string[] = []
      const reader = new CaptureFileReader(() => {}, (s) => secrets.push(new TextDecoder().decode(s.data)))
      reader.push(readFileSync(out))
      expect(reader.finish()).toBeNull()
      expect(secrets).toEqual(['CLIENT_RANDOM 00aa 11bb\n'])
    } finally {
      dir.cleanup()
    }
  })

  it('clear empties the capture', () => {
    bench.wb.capture.clear()
    expect(bench.wb.capture.store.count).toBe(0)
  })
})
