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
import { mkdtempSync, rmSync, statSync } from 'node:fs'
import { tmpdir } from 'node:os'
import { join } from 'node:path'
import { dissectFrame } from '../../src-main/core/inspect/dissect'
import { importCaptureFile } from '../../src-main/services/capture-files'
import { CaptureService } from '../../src-main/services/capture-service'
import { EventHub } from '../../src-main/services/event-hub'
import { buildFleetPcapng, models } from './fleet-pcapng'

const FRAMES = Number(process.argv[3] ?? 1_000_000)
const dir = mkdtempSync(join(tmpdir(), 'lwm2m-wb-bench-'))
try {
  const file = join(dir, 'fleet.pcapng')
  const t0 = performance.now()
  const written = buildFleetPcapng(file, FRAMES)
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
