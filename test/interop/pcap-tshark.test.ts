// SPDX-License-Identifier: Apache-2.0
// Issue 16 item 4 against independent tools: Debian's dumpcap records our server and simulator on
// loopback (Ethernet pcapng, classic pcap, Linux cooked v1 and v2), we import each file with every
// LwM2M operation named; and tshark reads our export back with the same CoAP codes and paths.
// dumpcap and tshark are started and stopped by this test.
import { execFileSync } from 'node:child_process'
import { writeFileSync } from 'node:fs'
import { join } from 'node:path'
import { afterAll, beforeAll, describe, expect, it } from 'vitest'
import { startBench, allRegistered, until, type SimBench } from '../helpers/simulator'
import { tempDir } from '../helpers/temp-dir'
import { CaptureService } from '../../src-main/services/capture-service'
import { EventHub } from '../../src-main/services/event-hub'
import { exportCaptureFile, importCaptureFile } from '../../src-main/services/capture-files'
import type { CaptureFrameDto } from '../../src-main/contract/capture'
import { dumpcap } from '../helpers/dumpcap'

function importInto(file: string, ports: number[]): { capture: CaptureService; frames: CaptureFrameDto[]; result: ReturnType<typeof importCaptureFile> } {
  const capture = new CaptureService({ events: new EventHub(), models: () => ({ get: () => undefined }) })
  capture.setSettings({ coapPorts: ports })
  const result = importCaptureFile(capture, file)
  const frames = capture.list({ limit: 1000 }).frames as CaptureFrameDto[]
  return { capture, frames, result }
}

let bench: SimBench
const dir = tempDir()
const files: Record<string, string> = {}
let endpoints: string[] = []

beforeAll(async () => {
  bench = await startBench()
  const filter = `udp port ${bench.serverPort} or udp port ${bench.bsPort}`
  const caps = await Promise.all([
    dumpcap(join(dir.path, 'lo.pcapng'), ['-i', 'lo', '-f', filter, '-q']),
    dumpcap(join(dir.path, 'lo.pcap'), ['-i', 'lo', '-f', filter, '-q', '-P']),
    dumpcap(join(dir.path, 'sll.pcap'), ['-i', 'any', '-y', 'LINUX_SLL', '-f', filter, '-q', '-P']),
    dumpcap(join(dir.path, 'sll2.pcapng'), ['-i', 'any', '-y', 'LINUX_SLL2', '-f', filter, '-q'])
  ])
  try {
    endpoints = (await bench.call<{ endpoints: string[] }>('simulator.start', { server: bench.serverUri, count: 2, prefix: 'pcap-' })).endpoints
    // One more device that bootstraps first (Bootstrap-Request, Discover, Delete, Write, Finish).
    await bench.call('bootstrap.configs.put', { config: {
      endpoint: 'pcap-bs', discoverFirst: true, deletePaths: ['/0', '/1'], contentFormat: 'auto', allowPack: false,
      security: [{ instanceId: 1, uri: bench.serverUri, bootstrapServer: false, securityMode: 3, shortServerId: 7 }],
      servers: [{ instanceId: 0, shortServerId: 7, lifetime: 600, notificationStoring: false, binding: 'U' }]
    } })
    await bench.call('simulator.start', { bootstrap: bench.bsUri, endpoint: 'pcap-bs', lwm2m: '1.1' })
    await allRegistered(bench, [...endpoints, 'pcap-bs'])
    const ep = endpoints[0] as string
    await bench.call('devices.read', { endpoint: ep, path: '/3/0' })
    await bench.call('devices.discover', { endpoint: ep, path: '/3/0' })
    await bench.call('devices.write', { endpoint: ep, path: '/3/0/13', records: [{ path: '/3/0/13', type: 'time', value: 1_700_000_000 }] })
    await bench.call('devices.execute', { endpoint: ep, path: '/3/0/4' }).catch(() => undefined)
    await bench.call('devices.writeAttributes', { endpoint: ep, path: '/3/0/9', attributes: 'pmin=1' }).catch(() => undefined)
    await bench.call('devices.readComposite', { endpoint: ep, paths: ['/3/0/0', '/3/0/9'] }).catch(() => undefined)
    const obs = await bench.call<{ observationId: string }>('devices.observe', { endpoint: ep, path: '/3303/0/5700', attributes: 'pmin=0&pmax=60' })
    // The device notifies when the value changes.
    await bench.call('simulator.set', { endpoint: ep, path: '/3303/0/5700', value: 31.5 })
    await until('a notification', () => bench.events.some(([n]) => n === 'devices.notification') || undefined)
    await bench.call('devices.cancelObservation', { observationId: obs.observationId, mode: 'get' }).catch(() => undefined)
    // dumpcap writes what the kernel hands it; give it a moment before stopping.
    await new Promise((r) => setTimeout(r, 700))
  } finally {
    await Promise.all(caps.map((c) => c.stop()))
  }
  for (const c of caps) files[c.file.split('/').pop() as string] = c.file
}, 60_000)

afterAll(async () => {
  await bench?.close()
  dir.cleanup()
})

describe('files written by dumpcap (issue 16 item 4)', () => {
  for (const name of ['lo.pcapng', 'lo.pcap', 'sll.pcap', 'sll2.pcapng']) {
    it(`${name}: every packet imported, every LwM2M operation named, responses paired`, () => {
      const file = files[name] as string
      const { frames, result } = importInto(file, [bench.serverPort, bench.bsPort])
      expect(result.stop).toBeNull()
      expect(result.format).toBe(name.endsWith('pcapng') ? 'pcapng' : 'pcap')
      // tshark's own count of the same file.
      const tsharkCount = execFileSync('tshark', ['-r', file, '-T', 'fields', '-e', 'frame.number'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim().split('\n').length
      expect(result.packets).toBe(tsharkCount)
      expect(result.frames).toBe(tsharkCount)
      const ops = new Set(frames.map((f) => f.op))
      for (const op of ['register', 'read', 'discover', 'write', 'execute', 'write-attributes', 'read-composite', 'observe', 'notify', 'cancel-observe', 'bootstrap-request', 'bs-discover', 'bs-delete', 'bs-write', 'bs-finish']) expect(ops).toContain(op)
      const regs = frames.filter((f) => f.op === 'register' && f.code === 'POST')
      expect(new Set(regs.map((f) => f.endpoint))).toEqual(new Set([...endpoints, 'pcap-bs']))
      const answer = frames.find((f) => f.op === 'read' && f.code === '2.05')
      expect(answer?.pair).not.toBeNull()
      expect(answer?.rtt).toBeGreaterThanOrEqual(0)
      expect(answer?.summary).toMatch(/^Read \/3\/0 .*2\.05/)
    })
  }

  it('a cut-off file keeps the packets before the cut and says where reading stopped', () => {
    const whole = execFileSync('cat', [files['lo.pcapng'] as string])
    const cut = join(dir.path, 'cut.pcapng')
    writeFileSync(cut, whole.subarray(0, whole.length - 20))
    const { result } = importInto(cut, [bench.serverPort, bench.bsPort])
    expect(result.stop?.message).toMatch(/ends inside a block/)
    expect(result.stop?.offset).toBeGreaterThan(0)
    expect(result.frames).toBeGreaterThan(5)
  })
})

describe('our export read by tshark (issue 16 item 4)', () => {
  for (const format of ['pcapng', 'pcap'] as const) {
    it(`${format}: tshark decodes the same CoAP codes and paths as our capture holds`, () => {
      const out = join(dir.path, `export.${format}`)
      const filter = `ep=${endpoints[0]}`
      const written = exportCaptureFile(bench.wb.capture, out, format, { filter, keyLog: format === 'pcapng' ? 'CLIENT_RANDOM 00 11\n' : undefined })
      // Both ends are ours, so the live capture holds each datagram twice (sent and received);
      // the export keeps one copy, as a capture on the wire would.
      const ours = bench.wb.capture.list({ filter, limit: 1000 }).frames.filter((f) => !bench.wb.capture.store.row(f.id)?.mirror)
      expect(ours.length).toBeGreaterThan(10)
      expect(written.frames).toBe(ours.length)
      const lines = execFileSync('tshark', ['-r', out, '-d', `udp.port==${bench.serverPort},coap`, '-Y', 'coap', '-T', 'fields', '-e', 'coap.code', '-e', 'coap.mid'], { encoding: 'utf8', stdio: ['ignore', 'pipe', 'ignore'] }).trim().split('\n')
      expect(lines).toHaveLength(ours.length)
      const codeNumber = (c: string | null): number => {
        const m = { GET: 1, POST: 2, PUT: 3, DELETE: 4, FETCH: 5, iPATCH: 7 }[c as 'GET']
        if (m !== undefined) return m
        const [cls, d] = (c ?? '0.00').split('.')
        return Number(cls) * 32 + Number(d)
      }
      expect(lines.map((l) => Number(l.split('\t')[0]))).toEqual(ours.map((f) => codeNumber(f.code)))
      // Our importer reads our own export back to the same rows.
      const back = importInto(out, [bench.serverPort]).frames
      expect(back.map((f) => [f.op, f.code, f.endpoint])).toEqual(ours.map((f) => [f.op, f.code, f.endpoint]))
    })
  }

  it('the pcapng carries the key log as a Decryption Secrets Block that editcap recognises', () => {
    const keyLog = 'CLIENT_RANDOM 0011 2233\n'
    const out = join(dir.path, 'secrets.pcapng')
    exportCaptureFile(bench.wb.capture, out, 'pcapng', { keyLog })
    // editcap rewrites the file as it reads it; with --discard-all-secrets it drops exactly the
    // secrets block (12-byte block header/trailer + 8-byte secrets header + padded key log).
    const kept = join(dir.path, 'kept.pcapng')
    const stripped = join(dir.path, 'stripped.pcapng')
    execFileSync('editcap', [out, kept], { stdio: 'ignore' })
    execFileSync('editcap', ['--discard-all-secrets', out, stripped], { stdio: 'ignore' })
    const size = (f: string): number => Number(execFileSync('stat', ['-c', '%s', f], { encoding: 'utf8' }))
    expect(size(kept) - size(stripped)).toBe(12 + 8 + ((keyLog.length + 3) & ~3))
    // Our reader finds it too.
    expect(importInto(out, [bench.serverPort]).result.keyLogLines).toBe(1)
  })
})
