// SPDX-License-Identifier: Apache-2.0
// Slipmux codec (coap-facts §9, draft-bormann-t2trg-slipmux-03): vectors, a peer written here from
// the draft's text, and fuzzing.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  encodeCoapFrame,
  encodeDiagnosticFrame,
  fcs16,
  fcsUpdate,
  FCS_GOOD,
  slipEncode,
  SlipmuxDecoder,
  type SlipmuxFrame
} from '../../../src-main/core/serial/slipmux'
import { LineSplitter } from '../../../src-main/core/serial/line-splitter'

const hex = (s: string): Uint8Array => Uint8Array.from((s.replace(/\s+/g, '').match(/../g) ?? []).map((b) => parseInt(b, 16)))
const ascii = (s: string): Uint8Array => new TextEncoder().encode(s)

function decodeAll(bytes: Uint8Array, max?: number): { frames: SlipmuxFrame[]; d: SlipmuxDecoder } {
  const frames: SlipmuxFrame[] = []
  const d = new SlipmuxDecoder((f) => frames.push(f), max)
  d.push(bytes)
  return { frames, d }
}

/**
 * A slipmux peer written from the draft's text alone (not from our codec): RFC 1055 escaping,
 * type byte 0xA9 then the CoAP message then the RFC 1662 FCS, least significant byte first, the
 * FCS computed bit by bit as RFC 1662 App. C.2 describes it (no table).
 */
const draftPeer = {
  fcs(data: Uint8Array): number {
    let fcs = 0xffff
    for (const byte of data) {
      fcs ^= byte
      for (let bit = 0; bit < 8; bit++) fcs = fcs & 1 ? (fcs >> 1) ^ 0x8408 : fcs >> 1
    }
    return ~fcs & 0xffff
  },
  slip(body: number[]): Uint8Array {
    const out = [0xc0]
    for (const b of body) out.push(...(b === 0xc0 ? [0xdb, 0xdc] : b === 0xdb ? [0xdb, 0xdd] : [b]))
    out.push(0xc0)
    return Uint8Array.from(out)
  },
  coap(message: Uint8Array): Uint8Array {
    const body = [0xa9, ...message]
    const fcs = this.fcs(Uint8Array.from(body))
    return this.slip([...body, fcs & 0xff, fcs >> 8])
  },
  diagnostic(text: string): Uint8Array {
    return this.slip([0x0a, ...ascii(text)])
  },
  /** Reads frames back: unescape between ENDs, drop empty ones. */
  read(wire: Uint8Array): Uint8Array[] {
    const frames: Uint8Array[] = []
    let cur: number[] = []
    for (let i = 0; i < wire.length; i++) {
      const b = wire[i] as number
      if (b === 0xc0) {
        if (cur.length) frames.push(Uint8Array.from(cur))
        cur = []
      } else if (b === 0xdb) {
        const n = wire[++i]
        cur.push(n === 0xdc ? 0xc0 : 0xdb)
      } else cur.push(b)
    }
    return frames
  }
}

describe('coap-facts §9.3: the FCS-16 of RFC 1662', () => {
  it('is 0x906E over "123456789" (the standard check)', () => {
    expect(fcs16(ascii('123456789'))).toBe(0x906e)
  })

  it('is 0x2624 over "coap is cool!" (aiocoap doctest)', () => {
    expect(fcs16(ascii('coap is cool!'))).toBe(0x2624)
  })

  it('leaves the residue 0xF0B8 over data followed by its FCS, LSB first', () => {
    const data = ascii('123456789')
    const f = fcs16(data)
    expect(fcsUpdate(0xffff, Uint8Array.from([...data, f & 0xff, f >> 8]))).toBe(FCS_GOOD)
  })

  it('agrees with the bit-by-bit form of RFC 1662 App. C.2 on any bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 300 }), (b) => fcs16(b) === draftPeer.fcs(b)))
  })
})

describe('coap-facts §9.3: CoAP frames on the wire', () => {
  it('a CoAP ping (CON, MID 0x1234) is c0 a9 40 00 12 34 e6 b3 c0', () => {
    expect(Buffer.from(encodeCoapFrame(hex('40001234'))).toString('hex')).toBe('c0a940001234e6b3c0')
  })

  it('CON GET /.well-known/core, MID 1, token 01 matches the facts byte for byte', () => {
    const msg = hex('41 01 00 01 01 bb 2e 77 65 6c 6c 2d 6b 6e 6f 77 6e 04 63 6f 72 65')
    expect(Buffer.from(encodeCoapFrame(msg)).toString('hex')).toBe('c0a941010001' + '01bb2e77656c6c2d6b6e6f776e04636f7265' + '9f0ec0')
  })

  it('decodes the ping vector to the bare CoAP message', () => {
    const { frames, d } = decodeAll(hex('c0 a9 40 00 12 34 e6 b3 c0'))
    expect(frames).toEqual([{ kind: 'coap', message: hex('40001234') }])
    expect(d.counters.coap).toBe(1)
  })

  it('§5: a frame with a bad FCS is counted and dropped, and the next frame still decodes', () => {
    const { frames, d } = decodeAll(hex('c0 a9 40 00 12 34 e6 b4 c0 c0 a9 40 00 12 34 e6 b3 c0'))
    expect(frames).toHaveLength(1)
    expect(d.counters.badFcs).toBe(1)
  })

  it('a CoAP frame too short to hold an FCS counts as bad FCS', () => {
    const { frames, d } = decodeAll(hex('c0 a9 40 c0'))
    expect(frames).toEqual([])
    expect(d.counters.badFcs).toBe(1)
  })
})

describe('coap-facts §9.1–§9.2: SLIP layer and demultiplexing', () => {
  it('escapes END and ESC inside a frame (RFC 1055)', () => {
    expect(Buffer.from(slipEncode(hex('01 c0 02 db 03'))).toString('hex')).toBe('c001dbdc02dbdd03c0')
  })

  it('§4: 0x0A frames are diagnostic text, the type byte stripped', () => {
    const { frames } = decodeAll(encodeDiagnosticFrame('boot ok\n'))
    expect(frames).toEqual([{ kind: 'diagnostic', text: 'boot ok\n' }])
  })

  it('§3: IPv4 and IPv6 packets are counted, their first byte kept', () => {
    const { frames, d } = decodeAll(Uint8Array.from([...slipEncode(hex('45 00 00 14')), ...slipEncode(hex('60 00 00 00'))]))
    expect(frames).toEqual([
      { kind: 'ip', packet: hex('45000014') },
      { kind: 'ip', packet: hex('60000000') }
    ])
    expect(d.counters.ip).toBe(2)
  })

  it('§7.3: an unknown first byte is ignored silently, and counted', () => {
    const { frames, d } = decodeAll(slipEncode(hex('22 33')))
    expect(frames).toEqual([])
    expect(d.counters.unknown).toBe(1)
  })

  it('§6: empty frames (END END) are ignored without counting anything', () => {
    const { frames, d } = decodeAll(hex('c0 c0 c0'))
    expect(frames).toEqual([])
    expect(Object.values(d.counters).every((n) => n === 0)).toBe(true)
  })

  it('§6: ESC END aborts the frame; what follows decodes', () => {
    const wire = Uint8Array.from([...hex('c0 0a 41 42 db c0'), ...encodeDiagnosticFrame('next')])
    const { frames, d } = decodeAll(wire)
    expect(frames).toEqual([{ kind: 'diagnostic', text: 'next' }])
    expect(d.counters.aborted).toBe(1)
  })

  it('ESC followed by a byte that is no escape drops the frame up to the next END', () => {
    const wire = Uint8Array.from([...hex('c0 0a 41 db 41 42 c0'), ...encodeDiagnosticFrame('ok')])
    const { frames, d } = decodeAll(wire)
    expect(frames).toEqual([{ kind: 'diagnostic', text: 'ok' }])
    expect(d.counters.aborted).toBe(1)
  })

  it('an oversized frame is counted and dropped; the next one decodes', () => {
    const big = encodeDiagnosticFrame('x'.repeat(100))
    const wire = Uint8Array.from([...big, ...encodeDiagnosticFrame('small')])
    const { frames, d } = decodeAll(wire, 64)
    expect(frames).toEqual([{ kind: 'diagnostic', text: 'small' }])
    expect(d.counters.oversized).toBe(1)
  })

  it('a frame split across reads at any point decodes the same', () => {
    const wire = encodeCoapFrame(hex('4501c0db' + 'ff'.repeat(3)))
    for (let cut = 0; cut <= wire.length; cut++) {
      const frames: SlipmuxFrame[] = []
      const d = new SlipmuxDecoder((f) => frames.push(f))
      d.push(wire.subarray(0, cut))
      d.push(wire.subarray(cut))
      expect(frames).toEqual([{ kind: 'coap', message: hex('4501c0dbffffff') }])
    }
  })
})

describe('slipmux against a peer written from the draft', () => {
  it('our decoder reads what the draft peer writes (CoAP and diagnostics interleaved)', () => {
    fc.assert(
      fc.property(fc.array(fc.oneof(fc.uint8Array({ minLength: 4, maxLength: 200 }), fc.string({ maxLength: 80 })), { maxLength: 10 }), (items) => {
        const wire = items.flatMap((it) => [...(typeof it === 'string' ? draftPeer.diagnostic(it) : draftPeer.coap(it))])
        const { frames } = decodeAll(Uint8Array.from(wire))
        const want = items.map((it) => (typeof it === 'string' ? { kind: 'diagnostic', text: new TextDecoder().decode(ascii(it)) } : { kind: 'coap', message: it }))
        expect(frames).toEqual(want)
      })
    )
  })

  it('the draft peer reads what we write, and the FCS checks by its own computation', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 4, maxLength: 300 }), (msg) => {
        const [frame] = draftPeer.read(encodeCoapFrame(msg))
        expect(frame?.[0]).toBe(0xa9)
        const body = (frame as Uint8Array).subarray(0, frame!.length - 2)
        const fcs = draftPeer.fcs(body)
        expect([frame![frame!.length - 2], frame![frame!.length - 1]]).toEqual([fcs & 0xff, fcs >> 8])
        expect(body.subarray(1)).toEqual(msg)
      })
    )
  })
})

describe('CoAP frame encoding, byte for byte', () => {
  it('matches the draft peer on any message', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (msg) => {
        expect(encodeCoapFrame(msg)).toEqual(draftPeer.coap(msg))
      }),
      { numRuns: 500 }
    )
  })

  it('RFC 1055: escapes an FCS byte that is END or ESC (low byte, high byte)', () => {
    // Messages whose FCS has 0xC0 or 0xDB in either byte, found by search (no such vector in the facts).
    const found = { lo: 0, hi: 0 }
    for (let v = 0; v < 0x10000 && (found.lo < 3 || found.hi < 3); v++) {
      const msg = Uint8Array.of(0x40, 0x01, v >> 8, v & 0xff)
      const fcs = draftPeer.fcs(Uint8Array.of(0xa9, ...msg))
      const lo = fcs & 0xff
      const hi = fcs >> 8
      if (lo !== 0xc0 && lo !== 0xdb && hi !== 0xc0 && hi !== 0xdb) continue
      if (lo === 0xc0 || lo === 0xdb) found.lo++
      if (hi === 0xc0 || hi === 0xdb) found.hi++
      expect(encodeCoapFrame(msg)).toEqual(draftPeer.coap(msg))
      expect(decodeAll(encodeCoapFrame(msg)).frames).toEqual([{ kind: 'coap', message: msg }])
    }
    expect(found.lo).toBeGreaterThanOrEqual(3)
    expect(found.hi).toBeGreaterThanOrEqual(3)
  })
})

describe('slipmux decoder fuzzing', () => {
  it('never throws on arbitrary bytes in arbitrary chunks, and every frame it emits is well-formed', () => {
    fc.assert(
      fc.property(fc.array(fc.uint8Array({ maxLength: 64 }), { maxLength: 20 }), (chunks) => {
        const frames: SlipmuxFrame[] = []
        const d = new SlipmuxDecoder((f) => frames.push(f), 128)
        for (const c of chunks) d.push(c)
        for (const f of frames) if (f.kind === 'coap') expect(f.message.length).toBeLessThanOrEqual(125)
      })
    )
  })

  it('garbage between frames loses no valid frame that follows an END', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), fc.uint8Array({ minLength: 4, maxLength: 100 }), (garbage, msg) => {
        const wire = Uint8Array.from([...garbage, ...encodeCoapFrame(msg)])
        const { frames } = decodeAll(wire)
        expect(frames.at(-1)).toEqual({ kind: 'coap', message: msg })
      })
    )
  })
})

describe('raw framing: lines', () => {
  it('splits on \\n and \\r\\n, keeps the partial line pending, decodes UTF-8 split across reads', () => {
    const lines: string[] = []
    const s = new LineSplitter((l) => lines.push(l))
    const bytes = ascii('one\r\ntw€o\nuart:~$ ')
    s.pushBytes(bytes.subarray(0, 9))
    s.pushBytes(bytes.subarray(9))
    expect(lines).toEqual(['one', 'tw€o'])
    expect(s.pending).toBe('uart:~$ ')
  })

  it('cuts a line longer than the limit', () => {
    const lines: string[] = []
    const s = new LineSplitter((l) => lines.push(l), 4)
    s.pushText('abcdefghij\n')
    expect(lines).toEqual(['abcd', 'efgh', 'ij'])
  })
})
