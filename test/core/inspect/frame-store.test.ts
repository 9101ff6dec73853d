// SPDX-License-Identifier: Apache-2.0
// The compact capture store: bytes and facts in, rows and bytes out, oldest dropped past the budget.
import { describe, expect, it } from 'vitest'
import { FrameStore, PINNED_SHARE } from '../../../src-main/core/inspect/frame-store'
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

  describe('pinned DTLS handshake frames (issue 16 item 4: exports need each session\'s handshake)', () => {
    const udp = (s: FrameStore, at: number, size = 100): number => s.append({ at, direction: 'out', transport: 'udp', src: 'a', dst: 'b', bytes: new Uint8Array(size) }, facts)
    const dtls = (s: FrameStore, at: number, session: string, pin: boolean, size = 60): number =>
      s.append({ at, direction: 'in', transport: 'dtls', src: 'c', dst: 'd', bytes: new Uint8Array(size).fill(pin ? 22 : 23), session, pin }, facts)
    const chunkBytes = 16_384
    const budget = 3 * (chunkBytes + 8192 * 72)

    it('a ring overflow keeps the handshake of a session that still has frames, and drops the handshake of one that has none', () => {
      const s = new FrameStore({ maxBytes: budget, chunkBytes })
      const live = [dtls(s, 0, 'live', true), dtls(s, 1, 'live', true)]
      const gone = dtls(s, 2, 'gone', true)
      dtls(s, 3, 'gone', false)
      let total = 4
      for (let i = 0; i < 3000; i++, total++) {
        if (i % 50 === 0) dtls(s, 10 + i, 'live', false)
        else udp(s, 10 + i)
      }
      expect(s.dropped).toBeGreaterThan(0)
      expect(s.count + s.dropped).toBe(total)
      expect(s.pinnedCount).toBe(2)
      for (const id of live) {
        expect(s.has(id)).toBe(true)
        expect(s.bytes(id)?.wire[0]).toBe(22)
        expect(s.sessionOf(id)).toMatchObject({ pin: true })
      }
      expect(s.has(gone)).toBe(false)
      expect(s.firstId).toBe(live[0])
      // Pinned frames come first going up, last going down, and within the budget.
      const up: number[] = []
      s.scan(s.firstId, 1, (id) => (up.push(id), up.length < 3))
      expect(up.slice(0, 2)).toEqual(live)
      expect(up[2]).toBeGreaterThan(gone)
      const down: number[] = []
      s.scan(Number.MAX_SAFE_INTEGER, -1, (id) => (down.push(id), true))
      expect(down.slice(-2)).toEqual([live[1], live[0]])
      expect(down.length).toBe(s.count)
      expect(s.byteSize).toBeLessThanOrEqual(s.maxBytes)
    })

    it('the pinned frames leave with the last frame of their session', () => {
      const s = new FrameStore({ maxBytes: budget, chunkBytes })
      const hs = dtls(s, 0, 's1', true)
      for (let i = 0; i < 3000; i++) {
        if (i % 50 === 0) dtls(s, 1 + i, 's1', false)
        else udp(s, 1 + i)
      }
      expect(s.dropped).toBeGreaterThan(0)
      expect(s.has(hs)).toBe(true)
      const generation = s.generation
      for (let i = 0; i < 3000; i++) udp(s, 5000 + i)
      expect(s.has(hs)).toBe(false)
      expect(s.pinnedCount).toBe(0)
      expect(s.generation).toBeGreaterThan(generation)
    })

    it(`pinned frames take at most ${PINNED_SHARE * 100}% of the budget; the oldest sessions lose theirs first`, () => {
      const s = new FrameStore({ maxBytes: budget, chunkBytes })
      const first: number[] = []
      for (let k = 0; k < 40; k++) first.push(dtls(s, k, `s${k}`, true, 10_000))
      for (let i = 0; i < 3000; i++) {
        if (i % 50 === 0) for (let k = 0; k < 40; k++) dtls(s, 100 + i, `s${k}`, false)
        udp(s, 100 + i)
      }
      expect(s.dropped).toBeGreaterThan(0)
      const kept = first.filter((id) => s.has(id))
      expect(kept.length).toBeGreaterThan(0)
      expect(kept.length).toBeLessThan(40)
      // The newest sessions' handshakes are the ones kept.
      expect(kept).toEqual(first.slice(40 - kept.length))
      expect(kept.length * 10_000).toBeLessThanOrEqual(budget * PINNED_SHARE)
    })
  })
})
