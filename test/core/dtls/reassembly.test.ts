// SPDX-License-Identifier: Apache-2.0
// Handshake reassembly (RFC 6347 §4.2.2 ordering, §4.2.3 fragments): random fragmentations with
// overlaps, duplicates and reordering always give back exactly the messages, in message_seq order;
// the limits hold and contradictory fragments are refused.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { fragmentHandshake, type HandshakeFragment } from '../../../src-main/core/dtls/handshake-header'
import { HandshakeReassembler, type HandshakeMessage } from '../../../src-main/core/dtls/reassembly'
import { toHex } from './helpers'

function frag(seq: number, length: number, offset: number, n: number, msgType = 11): HandshakeFragment {
  return { msgType, length, messageSeq: seq, fragmentOffset: offset, body: Uint8Array.from({ length: n }, (_, i) => (offset + i) & 0xff) }
}

function drain(r: HandshakeReassembler): HandshakeMessage[] {
  const out: HandshakeMessage[] = []
  for (let m = r.take(); m !== null; m = r.take()) out.push(m)
  return out
}

describe('HandshakeReassembler (RFC 6347 §4.2.3)', () => {
  it('an unfragmented message is complete at once; an empty one too', () => {
    const r = new HandshakeReassembler()
    expect(r.push(frag(0, 5, 0, 5))).toEqual({ kind: 'accepted' })
    expect(r.push({ msgType: 14, length: 0, messageSeq: 1, fragmentOffset: 0, body: new Uint8Array(0) })).toEqual({ kind: 'accepted' })
    expect(drain(r).map((m) => [m.messageSeq, m.msgType, m.body.length])).toEqual([[0, 11, 5], [1, 14, 0]])
    expect(r.nextSeq).toBe(2)
    expect(r.bufferedBytes).toBe(0)
  })

  it('gaps keep a message incomplete until covered; overlap counts by bytes, not by fragment', () => {
    const r = new HandshakeReassembler()
    r.push(frag(0, 10, 0, 4))
    r.push(frag(0, 10, 6, 4))
    expect(r.take()).toBeNull()
    r.push(frag(0, 10, 3, 4)) // overlaps both sides, fills 4..6
    expect(toHex(r.take()!.body)).toBe('00010203040506070809')
  })

  it('RFC 6347 §4.2.2: a later message waits for the earlier one; an earlier seq is "old"', () => {
    const r = new HandshakeReassembler(1)
    expect(r.push(frag(2, 3, 0, 3))).toEqual({ kind: 'accepted' })
    expect(r.take()).toBeNull()
    expect(r.push(frag(0, 3, 0, 3))).toEqual({ kind: 'old' })
    r.push(frag(1, 3, 0, 3))
    expect(drain(r).map((m) => m.messageSeq)).toEqual([1, 2])
    expect(r.push(frag(1, 3, 0, 3))).toEqual({ kind: 'old' })
  })

  it('limits: too large is rejected, too far ahead and too much buffered are dropped', () => {
    const r = new HandshakeReassembler(0, { maxMessageLength: 100, maxMessagesAhead: 2, maxBufferedBytes: 150 })
    expect(r.push(frag(0, 101, 0, 1))).toMatchObject({ kind: 'rejected', violation: { rule: 'dtls.handshake-too-large' } })
    expect(r.push(frag(2, 10, 0, 1))).toMatchObject({ kind: 'dropped' })
    expect(r.push(frag(0, 100, 0, 1))).toEqual({ kind: 'accepted' })
    expect(r.push(frag(1, 60, 0, 1))).toMatchObject({ kind: 'dropped' })
    expect(r.bufferedBytes).toBe(100)
    // 64 KiB default: a message claiming 16 MiB allocates nothing.
    const d = new HandshakeReassembler()
    expect(d.push(frag(0, 2 ** 24 - 1, 0, 1))).toMatchObject({ kind: 'rejected' })
    expect(d.bufferedBytes).toBe(0)
  })

  it('contradicting fragments (other type or length for the same seq, bytes past the end) are rejected', () => {
    const r = new HandshakeReassembler()
    r.push(frag(0, 10, 0, 4))
    expect(r.push(frag(0, 11, 4, 4))).toMatchObject({ kind: 'rejected', violation: { rule: 'dtls.handshake-fragment-mismatch' } })
    expect(r.push(frag(0, 10, 4, 4, 12))).toMatchObject({ kind: 'rejected', violation: { rule: 'dtls.handshake-fragment-mismatch' } })
    expect(r.push({ ...frag(0, 10, 8, 4) })).toMatchObject({ kind: 'rejected', violation: { rule: 'dtls.handshake-fragment-bounds' } })
  })

  it('reset starts over with a new next seq', () => {
    const r = new HandshakeReassembler()
    r.push(frag(0, 10, 0, 4))
    r.reset(3)
    expect([r.nextSeq, r.bufferedBytes]).toEqual([3, 0])
  })
})

/** Fragments that cover [0, length): a partition by random cuts plus random extra (overlapping) pieces. */
function coveringFragments(msgType: number, seq: number, body: Uint8Array): fc.Arbitrary<HandshakeFragment[]> {
  const n = body.length
  const piece = (s: number, e: number): HandshakeFragment => ({ msgType, length: n, messageSeq: seq, fragmentOffset: s, body: body.subarray(s, e) })
  return fc.tuple(
    fc.uniqueArray(fc.integer({ min: 1, max: Math.max(1, n - 1) }), { maxLength: 6 }),
    fc.array(fc.tuple(fc.nat(n), fc.nat(n)), { maxLength: 3 })
  ).map(([cuts, extra]) => {
    const points = [0, ...cuts.filter((c) => c < n).sort((a, b) => a - b), n]
    const parts: HandshakeFragment[] = []
    for (let i = 0; i + 1 < points.length; i++) parts.push(piece(points[i]!, points[i + 1]!))
    if (n === 0) parts.push(piece(0, 0))
    for (const [a, b] of extra) parts.push(piece(Math.min(a, b), Math.max(a, b)))
    return parts
  })
}

describe('property: any fragmentation, duplication and order reassembles to the messages (RFC 6347 §4.2.3)', () => {
  it('messages come out whole, once each, in message_seq order', () => {
    const messagesArb = fc.array(fc.tuple(fc.integer({ min: 0, max: 20 }), fc.uint8Array({ maxLength: 400 })), { minLength: 1, maxLength: 6 })
    const scenario = messagesArb.chain((msgs) =>
      fc.tuple(
        fc.constant(msgs),
        fc.tuple(...msgs.map(([type, body], seq) => coveringFragments(type, seq, body))),
        fc.array(fc.nat(), { maxLength: 10 }), // which fragments are duplicated
        fc.array(fc.nat(), { minLength: 60, maxLength: 60 }) // ordering keys
      ))
    fc.assert(
      fc.property(scenario, ([msgs, perMessage, dups, keys]) => {
        const all = perMessage.flat()
        for (const d of dups) all.push(all[d % all.length]!)
        const order = all.map((f, i) => ({ f, k: keys[i % keys.length]! * 1000 + i })).sort((a, b) => a.k - b.k).map((x) => x.f)
        const r = new HandshakeReassembler()
        const out: HandshakeMessage[] = []
        for (const f of order) {
          const o = r.push(f)
          if (o.kind === 'rejected' || o.kind === 'dropped') throw new Error(`unexpected ${o.kind}`)
          out.push(...drain(r))
        }
        expect(out.map((m) => [m.messageSeq, m.msgType, toHex(m.body)])).toEqual(msgs.map(([t, b], seq) => [seq, t, toHex(b)]))
        expect(r.bufferedBytes).toBe(0)
      }),
      { numRuns: 1000 }
    )
  })

  it('fragmentHandshake output at any size reassembles', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 3000 }), fc.integer({ min: 1, max: 1500 }), (body, size) => {
        const r = new HandshakeReassembler()
        for (const f of fragmentHandshake(11, 0, body, size).reverse()) r.push(f)
        expect(toHex(r.take()!.body)).toBe(toHex(body))
      })
    )
  })
})
