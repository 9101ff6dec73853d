// SPDX-License-Identifier: Apache-2.0
// The compact capture store: bytes and facts in, rows and bytes out, oldest dropped past the budget.
import { describe, expect, it } from 'vitest'
import { FrameStore } from '../../../src-main/core/inspect/frame-store'
import { NO_OP, type FrameFacts } from '../../../src-main/core/inspect/analyzer'

const facts: FrameFacts = { protocol: 0, op: NO_OP, code: 69, cf: -1, ep: 'dev', path: '/3/0', pair: -1, rtt: -1, retransmission: false, notification: false, bootstrap: false }

describe('FrameStore', () => {
  it('gives back each frame\'s bytes, plaintext, DTLS extras and row', () => {
    const s = new FrameStore({ maxBytes: 1e9 })
    const id = s.append({ at: 5, direction: 'in', transport: 'dtls', src: 'a', dst: 'b', bytes: new Uint8Array([1, 2, 3]), plaintext: new Uint8Array([9]), epoch: 1, seq: 7, cid: 'ab', identity: 'id1' }, facts)
    expect(s.row(id)).toMatchObject({ id, at: 5, direction: 'in', transport: 'dtls', src: 'a', dst: 'b', size: 3, code: 69, ep: 'dev', path: '/3/0' })
    const b = s.bytes(id)
    expect([...(b?.wire ?? [])]).toEqual([1, 2, 3])
    expect([...(b?.plaintext ?? [])]).toEqual([9])
    expect(b?.extra).toEqual({ epoch: 1, seq: 7, cid: 'ab', identity: 'id1' })
  })

  it('drops whole chunks of the oldest frames past its budget, and counts them', () => {
    const s = new FrameStore({ maxBytes: 3 * (1024 + 8192 * 64), chunkBytes: 1024 })
    for (let i = 0; i < 1000; i++) s.append({ at: i, direction: 'out', transport: 'udp', src: 'a', dst: 'b', bytes: new Uint8Array(100).fill(i & 255) }, facts)
    expect(s.count).toBeLessThan(1000)
    expect(s.count + s.dropped).toBe(1000)
    expect(s.has(1)).toBe(false)
    expect(s.row(1000)?.at).toBe(999)
    expect(s.bytes(1000)?.wire[0]).toBe(999 & 255)
    expect(s.byteSize).toBeLessThanOrEqual(s.maxBytes)
  })

  it('scans forward and backward from any id', () => {
    const s = new FrameStore({ maxBytes: 1e9, chunkBytes: 64 })
    for (let i = 0; i < 50; i++) s.append({ at: i, direction: 'out', transport: 'udp', src: 'a', dst: 'b', bytes: new Uint8Array(30) }, facts)
    const fwd: number[] = []
    s.scan(10, 1, (id) => (fwd.push(id), fwd.length < 5))
    expect(fwd).toEqual([10, 11, 12, 13, 14])
    const back: number[] = []
    s.scan(10, -1, (id) => (back.push(id), true))
    expect(back).toEqual([10, 9, 8, 7, 6, 5, 4, 3, 2, 1])
    const fromEnd: number[] = []
    s.scan(Number.MAX_SAFE_INTEGER, -1, (id) => (fromEnd.push(id), fromEnd.length < 2))
    expect(fromEnd).toEqual([50, 49])
  })
})
