// SPDX-License-Identifier: Apache-2.0
// The 12-byte DTLS handshake header (RFC 6347 §4.2.2), fragmentation (§4.2.3) and the transcript
// form (§4.2.6): examples, each violation, and a fuzz run that never throws.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  decodeHandshakeFragments, encodeHandshakeFragments, fragmentHandshake, HandshakeType, transcriptBytes, type HandshakeFragment
} from '../../../src-main/core/dtls/handshake-header'
import { hex, toHex } from './helpers'

describe('handshake header (RFC 6347 §4.2.2)', () => {
  it('an unfragmented ServerHelloDone (empty body) and a Finished in one record', () => {
    const d = hex('0e 000000 0002 000000 000000' + '14 00000c 0003 000000 00000c c6422ac1ce30285fabe4e452')
    const { fragments, violations } = decodeHandshakeFragments(d)
    expect(violations).toEqual([])
    expect(fragments.map((f) => [f.msgType, f.length, f.messageSeq, f.fragmentOffset, toHex(f.body)])).toEqual([
      [HandshakeType.serverHelloDone, 0, 2, 0, ''],
      [HandshakeType.finished, 12, 3, 0, 'c6422ac1ce30285fabe4e452']
    ])
    expect(toHex(encodeHandshakeFragments(fragments))).toBe(toHex(d))
  })

  it('RFC 6347 §4.2.3: a middle fragment keeps the message length and its own offset', () => {
    const d = hex('0b 000400 0001 000100 000003 aabbcc')
    const f = decodeHandshakeFragments(d).fragments[0]!
    expect([f.length, f.fragmentOffset, f.body.length]).toEqual([1024, 256, 3])
  })

  it('violations: truncated header, fragment beyond the record, fragment beyond its message', () => {
    const rules = (s: string) => decodeHandshakeFragments(hex(s)).violations.map((v) => [v.rule, v.offset])
    expect(rules('01 000010 0000 000000')).toEqual([['dtls.handshake-truncated-header', 0]])
    expect(rules('01 000010 0000 000000 000010 aabb')).toEqual([['dtls.handshake-fragment-overrun', 9]])
    // offset 8 + 4 bytes > length 10: skipped, the next fragment still read (wolfSSL #5246, tinydtls #54)
    const r = decodeHandshakeFragments(hex('0b 00000a 0001 000008 000004 01020304' + '0e 000000 0002 000000 000000'))
    expect(r.violations.map((v) => v.rule)).toEqual(['dtls.handshake-fragment-bounds'])
    expect(r.fragments.map((f) => f.msgType)).toEqual([14])
  })

  it('RFC 6347 §4.2.6: the transcript form has offset 0 and fragment_length = length', () => {
    expect(toHex(transcriptBytes(HandshakeType.clientKeyExchange, 2, hex('00046465763100')))).toBe('10000007000200000000000700046465763100')
  })

  it('fragmentHandshake cuts at the given size and the pieces encode back to the body', () => {
    const body = Uint8Array.from({ length: 1000 }, (_, i) => i & 0xff)
    const fs = fragmentHandshake(HandshakeType.certificate, 4, body, 300)
    expect(fs.map((f) => [f.fragmentOffset, f.body.length, f.length])).toEqual([[0, 300, 1000], [300, 300, 1000], [600, 300, 1000], [900, 100, 1000]])
    expect(fragmentHandshake(HandshakeType.serverHelloDone, 2, new Uint8Array(0), 300)).toHaveLength(1)
  })

  it('the encoder refuses fields that do not fit (24-bit lengths, 16-bit seq, fragment inside message)', () => {
    const base: HandshakeFragment = { msgType: 1, length: 4, messageSeq: 0, fragmentOffset: 0, body: new Uint8Array(4) }
    expect(() => encodeHandshakeFragments([{ ...base, messageSeq: 0x10000 }])).toThrow(RangeError)
    expect(() => encodeHandshakeFragments([{ ...base, fragmentOffset: 1 }])).toThrow(RangeError)
    expect(() => encodeHandshakeFragments([{ ...base, length: 2 ** 24 }])).toThrow(RangeError)
  })

  it('fuzz: random bytes never throw; every fragment returned re-encodes to its bytes in the input', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 100 }), (d) => {
        const { fragments, violations } = decodeHandshakeFragments(d)
        for (const v of violations) if (v.offset < 0 || v.offset >= d.length) throw new Error(`offset ${v.offset}`)
        for (const f of fragments) {
          const enc = toHex(encodeHandshakeFragments([f]))
          if (!toHex(d).includes(enc)) throw new Error(`fragment not from input: ${toHex(d)}`)
        }
      }),
      { numRuns: 20000 }
    )
  })
})
