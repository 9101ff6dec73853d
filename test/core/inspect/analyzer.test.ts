// SPDX-License-Identifier: Apache-2.0
// Issue 16 item 3: exchanges followed across frames — responses paired by token (RFC 7252 §5.3.2),
// Empty ACKs by Message ID (§4.4), retransmissions (§4.2), Observe relations (RFC 7641 §3.2),
// endpoints learnt from Register/Update and bootstrap sessions (LwM2M 1.2 Transport §6.1, §6.2).
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { ExchangeAnalyzer, NO_OP, type FrameFacts } from '../../../src-main/core/inspect/analyzer'
import { OP_INDEX, type Operation } from '../../../src-main/core/inspect/operation'
import { coap, c, GET, POST, PUT } from './inspect-fixtures'

const DEV = 'udp:10.0.0.2:40000'
const SRV = 'udp:10.0.0.1:5683'
const BS = 'udp:10.0.0.1:5783'

function stream() {
  const a = new ExchangeAnalyzer()
  const pairs: [number, number][] = []
  a.onPair = (e, l) => pairs.push([e, l])
  let id = 0
  const send = (src: string, dst: string, bytes: Uint8Array, at = id * 10): FrameFacts & { id: number } => {
    id++
    return { ...a.analyze({ id, at, src, dst, bytes }), id }
  }
  return { a, pairs, send }
}

const op = (o: Operation): number => OP_INDEX[o]

describe('ExchangeAnalyzer', () => {
  it('learns the endpoint from Register and keeps it through Update, pairing each answer with its RTT', () => {
    const s = stream()
    const reg = s.send(DEV, SRV, coap(POST, { path: '/rd', query: ['ep=dev-7', 'lwm2m=1.2'], token: [1], mid: 1 }), 100)
    expect(reg).toMatchObject({ op: op('register'), ep: 'dev-7' })
    const created = s.send(SRV, DEV, coap(c(2, 1), { token: [1], mid: 1, location: ['rd', 'x1'] }), 130)
    expect(created).toMatchObject({ op: op('register'), ep: 'dev-7', pair: reg.id, rtt: 30 })
    // An Update from a new address (NAT rebinding) still names the device, by its location.
    const upd = s.send('udp:10.0.0.9:1', SRV, coap(POST, { path: '/rd/x1', token: [2], mid: 2 }))
    expect(upd).toMatchObject({ op: op('update'), ep: 'dev-7' })
    expect(s.pairs).toEqual([[reg.id, created.id]])
  })

  it('tells the first answer of an Observe from later notifications, until the relation ends', () => {
    const s = stream()
    s.send(DEV, SRV, coap(POST, { path: '/rd', query: ['ep=d'], token: [9], mid: 9 }))
    const obs = s.send(SRV, DEV, coap(GET, { path: '/3/0/9', observe: 0, token: [7], mid: 3 }))
    expect(obs.op).toBe(op('observe'))
    const first = s.send(DEV, SRV, coap(c(2, 5), { observe: 1, token: [7], mid: 3 }))
    expect(first).toMatchObject({ op: op('observe'), pair: obs.id, notification: false, path: '/3/0/9' })
    const n1 = s.send(DEV, SRV, coap(c(2, 5), { type: 'NON', observe: 2, token: [7], mid: 40 }))
    expect(n1).toMatchObject({ op: op('notify'), notification: true, path: '/3/0/9', ep: 'd' })
    const end = s.send(DEV, SRV, coap(c(4, 4), { type: 'NON', token: [7], mid: 41 }))
    expect(end.op).toBe(op('notify'))
    const stray = s.send(DEV, SRV, coap(c(2, 5), { type: 'NON', observe: 3, token: [7], mid: 42 }))
    expect(stray.op).toBe(NO_OP)
  })

  it('marks a CON sent again with the same Message ID as a retransmission, and pairs an Empty ACK with its CON', () => {
    const s = stream()
    const r1 = s.send(SRV, DEV, coap(PUT, { path: '/3/0/13', mid: 77, token: [5], cf: 0, payload: '1' }), 0)
    const r2 = s.send(SRV, DEV, coap(PUT, { path: '/3/0/13', mid: 77, token: [5], cf: 0, payload: '1' }), 2000)
    expect([r1.retransmission, r2.retransmission]).toEqual([false, true])
    const ack = s.send(DEV, SRV, new Uint8Array([0x60, 0x00, 0x00, 77]), 2100)
    expect(ack).toMatchObject({ code: 0, pair: r1.id, rtt: 2100 })
    // Past EXCHANGE_LIFETIME the same MID is a new message.
    const later = s.send(SRV, DEV, coap(PUT, { path: '/3/0/13', mid: 77, token: [6], cf: 0, payload: '1' }), 400_000)
    expect(later.retransmission).toBe(false)
  })

  it('reads GET/PUT/DELETE of a Bootstrap-Server in session as Bootstrap operations, until Bootstrap-Finish', () => {
    const s = stream()
    s.send(DEV, BS, coap(POST, { path: '/bs', query: ['ep=dev-b'], token: [1], mid: 1 }))
    expect(s.send(BS, DEV, coap(PUT, { path: '/0/1', cf: 0, payload: 'x', token: [2], mid: 2 })).op).toBe(op('bs-write'))
    expect(s.send(BS, DEV, coap(GET, { path: '/', accept: 40, token: [3], mid: 3 })).op).toBe(op('bs-discover'))
    expect(s.send(BS, DEV, coap(POST, { path: '/bs', token: [4], mid: 4 })).op).toBe(op('bs-finish'))
    // The LwM2M Server's GET is a plain Read.
    expect(s.send(SRV, DEV, coap(GET, { path: '/3/0', token: [5], mid: 5 })).op).toBe(op('read'))
    expect(s.send(BS, DEV, coap(GET, { path: '/3/0', token: [6], mid: 6 })).op).toBe(op('read'))
  })

  it('pairs each block of a block-wise answer with its own request (RFC 7959)', () => {
    const s = stream()
    const b0 = s.send(SRV, DEV, coap(GET, { path: '/5/0/0', token: [1], mid: 1 }))
    const r0 = s.send(DEV, SRV, coap(c(2, 5), { token: [1], mid: 1, cf: 42, payload: new Uint8Array(64) }))
    const b1 = s.send(SRV, DEV, coap(GET, { path: '/5/0/0', token: [2], mid: 2 }))
    const r1 = s.send(DEV, SRV, coap(c(2, 5), { token: [2], mid: 2, cf: 42, payload: new Uint8Array(10) }))
    expect([r0.pair, r1.pair]).toEqual([b0.id, b1.id])
  })

  it('never throws on any stream of datagrams (fuzz)', () => {
    fc.assert(fc.property(fc.array(fc.tuple(fc.boolean(), fc.uint8Array({ maxLength: 60 })), { maxLength: 40 }), (frames) => {
      const s = stream()
      for (const [up, b] of frames) s.send(up ? DEV : SRV, up ? SRV : DEV, b)
    }), { numRuns: 1000 })
  })
})
