// SPDX-License-Identifier: Apache-2.0
// The packet inspector at a million frames (issue 16 "Speed"): builds a pcapng of 1 000 000
// CoAP/LwM2M frames of a simulated fleet's traffic (Register, Update, Read answered in TLV and
// SenML CBOR, Observe notifications, Send, a few errors and retransmissions), then in the same
// run times
//   - tshark -r FILE -T fields -e coap.code (the baseline: Debian's tshark, ~60 000 frames/s here)
//   - our import: read the file in chunks, follow exchanges, keep every frame in the store
//   - our import + full decode: the above, then every frame dissected to its field tree
//     (DTLS/CoAP/LwM2M, payload decoded by content format with model names)
//   - a filter over the million frames (fresh, nothing cached): ep=sim-7 && op=read && code>=4.00
// and prints frames/s and the ratio to tshark. Goal: import ≥ 3× tshark, filter < 200 ms.
//
// Run: npm run bench -- inspector  [frames]   (default 1000000)
import { spawnSync } from 'node:child_process'
import { closeSync, mkdtempSync, openSync, readFileSync, rmSync, statSync, writeSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { encodeMessage } from '../../src-main/core/coap/codec'
import type { CoapOption } from '../../src-main/core/coap/message'
import { encodeUint } from '../../src-main/core/coap/options'
import { pcapngHeader, pcapngPacket } from '../../src-main/core/inspect/capture-file-writer'
import { dissectFrame } from '../../src-main/core/inspect/dissect'
import { encodePayload } from '../../src-main/core/lwm2m/formats/all'
import { CF } from '../../src-main/core/lwm2m/content-format'
import { ModelRegistry } from '../../src-main/core/lwm2m/model/model-registry'
import type { ObjectModel } from '../../src-main/core/lwm2m/model'
import { importCaptureFile } from '../../src-main/services/capture-files'
import { CaptureService } from '../../src-main/services/capture-service'
import { EventHub } from '../../src-main/services/event-hub'

const FRAMES = Number(process.argv[3] ?? 1_000_000)
const DEVICES = 10_000
const enc = new TextEncoder()

function msg(type: 'CON' | 'NON' | 'ACK', code: number, mid: number, token: number, opts: { path?: string; query?: string[]; observe?: number; cf?: number; location?: string[] } = {}, payload: Uint8Array = new Uint8Array(0)): Uint8Array {
  const options: CoapOption[] = []
  for (const s of (opts.path ?? '').split('/').filter(Boolean)) options.push({ number: 11, value: enc.encode(s) })
  for (const q of opts.query ?? []) options.push({ number: 15, value: enc.encode(q) })
  for (const l of opts.location ?? []) options.push({ number: 8, value: enc.encode(l) })
  if (opts.observe !== undefined) options.push({ number: 6, value: encodeUint(opts.observe) })
  if (opts.cf !== undefined) options.push({ number: 12, value: encodeUint(opts.cf) })
  return encodeMessage({ type, code, messageId: mid & 0xffff, token: new Uint8Array([token & 255, (token >> 8) & 255, (token >> 16) & 255, 7]), options: options.sort((a, b) => a.number - b.number), payload })
}

const models = new ModelRegistry()
for (const m of JSON.parse(readFileSync(new URL('../../resources/models/models.json', import.meta.url), 'utf8')) as ObjectModel[]) models.add(m, 'shipped')

const tlv3 = encodePayload(CF.TLV, [
  { path: [3, 0, 0], value: { type: 'string', value: 'Open Mobile Alliance' } },
  { path: [3, 0, 1], value: { type: 'string', value: 'Lightweight M2M Client' } },
  { path: [3, 0, 9], value: { type: 'integer', value: 87 } }
], { path: [3, 0], models })
const senml = (v: number): Uint8Array => encodePayload(CF.SENML_CBOR, [{ path: [3303, 0, 5700], value: { type: 'float', value: v } }], { models })
const links = enc.encode('</1/0>,</3/0>,</3303/0>,</3303/1>')

/** Writes the fleet's traffic: each round a device does one exchange (two frames). */
function build(file: string): number {
  const fd = openSync(file, 'w')
  let batch: Uint8Array[] = [...pcapngHeader()]
  let size = 0
  const flush = (): void => {
    for (const b of batch) writeSync(fd, b)
    batch = []
    size = 0
  }
  const srv = '10.0.0.1'
  let n = 0
  let t = 1_800_000_000_000
  const put = (dev: number, up: boolean, payload: Uint8Array): void => {
    const addr = `10.${(dev >> 16) & 255}.${(dev >> 8) & 255}.${dev & 255}`
    const f = up
      ? { at: t, srcAddress: addr, srcPort: 40000, dstAddress: srv, dstPort: 5683, payload }
      : { at: t, srcAddress: srv, srcPort: 5683, dstAddress: addr, dstPort: 40000, payload }
    const b = pcapngPacket(f)
    batch.push(b)
    size += b.length
    if (size > 1 << 20) flush()
    n++
    t += 0.25
  }
  for (let round = 0; n < FRAMES; round++) {
    for (let dev = 0; dev < DEVICES && n < FRAMES; dev++) {
      const mid = round * 7 + dev
      const token = round * DEVICES + dev
      const kind = round === 0 ? 'register' : ['read', 'notify', 'read', 'update', 'notify', 'send', 'error', 'notify'][round % 8]
      switch (kind) {
        case 'register':
          put(dev, true, msg('CON', 2, mid, token, { path: '/rd', query: [`ep=sim-${dev}`, 'lt=300', 'lwm2m=1.2', 'b=U'], cf: CF.LINK }, links))
          put(dev, false, msg('ACK', 65, mid, token, { location: ['rd', `r${dev}`] }))
          break
        case 'update':
          put(dev, true, msg('CON', 2, mid, token, { path: `/rd/r${dev}` }))
          put(dev, false, msg('ACK', 68, mid, token))
          break
        case 'read':
          put(dev, false, msg('CON', 1, mid, token, { path: '/3/0' }))
          put(dev, true, msg('ACK', 69, mid, token, { cf: CF.TLV }, tlv3))
          break
        case 'error':
          put(dev, false, msg('CON', 1, mid, token, { path: '/3/0/7' }))
          put(dev, true, msg('ACK', 132, mid, token))
          break
        case 'notify':
          put(dev, true, msg('NON', 69, mid, dev, { observe: round, cf: CF.SENML_CBOR }, senml(20 + (round % 10))))
          put(dev, true, msg('NON', 69, mid + 1, dev, { observe: round + 1, cf: CF.SENML_CBOR }, senml(21)))
          break
        default:
          put(dev, true, msg('CON', 2, mid, token, { path: '/dp', cf: CF.SENML_CBOR }, senml(19.5)))
          put(dev, false, msg('ACK', 68, mid, token))
      }
    }
  }
  flush()
  closeSync(fd)
  return n
}

const dir = mkdtempSync(join(tmpdir(), 'lwm2m-wb-bench-'))
try {
  const file = join(dir, 'fleet.pcapng')
  const t0 = performance.now()
  const written = build(file)
  console.log(`built ${written.toLocaleString()} frames, ${(statSync(file).size / 2 ** 20).toFixed(0)} MiB pcapng in ${((performance.now() - t0) / 1000).toFixed(1)} s`)

  // Baseline: tshark decoding every frame's CoAP code (tshark knows 5683 as CoAP by itself).
  const ts0 = performance.now()
  const r = spawnSync('tshark', ['-r', file, '-T', 'fields', '-e', 'coap.code'], { stdio: ['ignore', 'ignore', 'ignore'], maxBuffer: 1 << 30 })
  const tsharkMs = performance.now() - ts0
  if (r.status !== 0) throw new Error(`tshark failed (${r.status})`)
  const tsharkRate = written / (tsharkMs / 1000)

  global.gc?.()
  const heap0 = process.memoryUsage().heapUsed
  const capture = new CaptureService({ events: new EventHub(), models: () => models, maxBytes: Number.MAX_SAFE_INTEGER })
  const i0 = performance.now()
  const result = importCaptureFile(capture, file)
  const importMs = performance.now() - i0
  global.gc?.()
  const mem = process.memoryUsage()
  if (result.frames !== written) throw new Error(`imported ${result.frames} of ${written}`)

  // Full decode: every frame's field tree, with its exchange's context, payloads decoded.
  const d0 = performance.now()
  let problems = 0
  const store = capture.store
  for (let id = store.firstId; id < store.nextId; id++) {
    const row = store.row(id)
    const b = store.bytes(id)
    if (row === null || b === null) continue
    problems += dissectFrame(b.wire, capture.dissectOptions(row)).problems
  }
  const decodeMs = performance.now() - d0

  const filter = 'ep=sim-7 && op=read && code>=4.00'
  const f0 = performance.now()
  const m = capture.matches(filter)
  const filterMs = performance.now() - f0
  const f1 = performance.now()
  const all = capture.matches('code=2.05 || op=notify')
  const filter2Ms = performance.now() - f1

  const rate = (ms: number): string => `${Math.round(written / (ms / 1000)).toLocaleString()} frames/s`
  console.log(`tshark -T fields -e coap.code:      ${(tsharkMs / 1000).toFixed(2)} s, ${rate(tsharkMs)}`)
  console.log(`our import (index + exchanges):      ${(importMs / 1000).toFixed(2)} s, ${rate(importMs)} — ${(tsharkMs / importMs).toFixed(2)}× tshark`)
  console.log(`our import + full decode of all:     ${((importMs + decodeMs) / 1000).toFixed(2)} s, ${rate(importMs + decodeMs)} — ${(tsharkMs / (importMs + decodeMs)).toFixed(2)}× tshark (${problems} violations flagged)`)
  console.log(`filter "${filter}": ${filterMs.toFixed(0)} ms (${m.count} matches)`)
  console.log(`filter "code=2.05 || op=notify": ${filter2Ms.toFixed(0)} ms (${all.count} matches)`)
  console.log(`store: ${(store.byteSize / 2 ** 20).toFixed(0)} MiB for ${store.count.toLocaleString()} frames; heap +${((mem.heapUsed - heap0) / 2 ** 20).toFixed(0)} MiB, rss ${(mem.rss / 2 ** 20).toFixed(0)} MiB`)
  console.log(`tshark rate ${Math.round(tsharkRate).toLocaleString()} frames/s; goal ≥ 3× tshark for the import, filter < 200 ms`)
} finally {
  rmSync(dir, { recursive: true, force: true })
}
