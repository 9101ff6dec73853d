// SPDX-License-Identifier: Apache-2.0
// A pcapng of a simulated fleet's traffic for the inspector benchmarks: 10 000 devices Register,
// then in rounds answer Reads (TLV), send Observe notifications (SenML CBOR), Update, Send and now
// and then fail a Read (4.04). Frames are written in 1 MiB batches, never held whole.
import { closeSync, openSync, readFileSync, writeSync } from 'node:fs'
import { encodeMessage } from '../../src-main/core/coap/codec'
import type { CoapOption } from '../../src-main/core/coap/message'
import { encodeUint } from '../../src-main/core/coap/options'
import { pcapngHeader, pcapngPacket } from '../../src-main/core/inspect/capture-file-writer'
import { encodePayload } from '../../src-main/core/lwm2m/formats/all'
import { CF } from '../../src-main/core/lwm2m/content-format'
import { ModelRegistry } from '../../src-main/core/lwm2m/model/model-registry'
import type { ObjectModel } from '../../src-main/core/lwm2m/model'

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

export const models = new ModelRegistry()
for (const m of JSON.parse(readFileSync(new URL('../../resources/models/models.json', import.meta.url), 'utf8')) as ObjectModel[]) models.add(m, 'shipped')

const tlv3 = encodePayload(CF.TLV, [
  { path: [3, 0, 0], value: { type: 'string', value: 'Open Mobile Alliance' } },
  { path: [3, 0, 1], value: { type: 'string', value: 'Lightweight M2M Client' } },
  { path: [3, 0, 9], value: { type: 'integer', value: 87 } }
], { path: [3, 0], models })
const senml = (v: number): Uint8Array => encodePayload(CF.SENML_CBOR, [{ path: [3303, 0, 5700], value: { type: 'float', value: v } }], { models })
const links = enc.encode('</1/0>,</3/0>,</3303/0>,</3303/1>')

/** Writes the fleet's traffic: each round a device does one exchange (two frames). */
export function buildFleetPcapng(file: string, FRAMES: number): number {
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

