// SPDX-License-Identifier: Apache-2.0
// decodeMessage is total (DESIGN.md: a malformed packet is data): 50 000 random and mutated
// datagrams never make it throw, and what it returns always holds together.
import fc from 'fast-check'
import { afterAll, describe, expect, it } from 'vitest'
import { decodeMessage, encodeMessage } from '../../../src-main/core/coap/codec'
import { messageArb, toHex } from './helpers'

const RULES = new Set([
  'coap.too-short',
  'coap.version',
  'coap.tkl-reserved',
  'coap.token-overrun',
  'coap.option-delta-reserved',
  'coap.option-length-reserved',
  'coap.option-overrun',
  'coap.option-number-range',
  'coap.payload-marker-empty',
  'coap.empty-with-content',
  'coap.empty-non',
  'coap.code-class-reserved',
  'coap.rst-not-empty',
  'coap.ack-request'
])

// Plain checks instead of expect(): 50 000 inputs × a dozen assertions must stay quick.
function check(ok: boolean, what: string, d: Uint8Array): void {
  if (!ok) throw new Error(`${what} for ${toHex(d)}`)
}

const seen = { rules: new Set<string>(), clean: 0, rejected: 0 }

/** Everything that must hold for any input (RFC 7252 §3, §4.2, §4.3; coap-facts §1.6). */
function checkInvariants(d: Uint8Array): void {
  const r = decodeMessage(d)
  for (const v of r.violations) {
    seen.rules.add(v.rule)
    check(RULES.has(v.rule), `unknown rule ${v.rule}`, d)
    check(v.offset >= 0 && v.offset < Math.max(d.length, 1), `offset ${v.offset} out of range`, d)
    check(v.section.startsWith('RFC 7252 §'), `section ${v.section}`, d)
  }
  const readable = d.length >= 4 && d[0]! >> 6 === 1
  check(r.messageId === (readable ? (d[2]! << 8) | d[3]! : null), 'messageId', d)
  check((r.message === null) === !readable, 'message presence', d)
  if (r.violations.length > 0) {
    seen.rejected++
    // A CON with a problem is reset (echoing its MID), anything else is dropped.
    const con = readable && ((d[0]! >> 4) & 3) === 0
    check(r.reject === (con ? 'rst' : 'ignore'), `reject ${r.reject}`, d)
    return
  }
  seen.clean++
  const m = r.message!
  // Clean: only the ping is answered, and the bytes are exactly the canonical encoding.
  check(r.reject === (m.code === 0 && m.type === 'CON' ? 'rst' : null), `reject ${r.reject}`, d)
  check(toHex(encodeMessage(m)) === toHex(d), 'not canonical', d)
  for (let i = 1; i < m.options.length; i++) {
    check(m.options[i]!.number >= m.options[i - 1]!.number, 'option order', d)
  }
}

// Random bytes, with the first byte often a Ver 1 header so that parsing gets past it.
const randomDatagram = fc
  .tuple(
    fc.oneof(fc.integer({ min: 0x40, max: 0x7f }), fc.integer({ min: 0, max: 255 })),
    fc.uint8Array({ maxLength: 80 })
  )
  .map(([b0, rest]) => {
    const d = new Uint8Array(rest.length + 1)
    d[0] = b0
    d.set(rest, 1)
    return d
  })

type Mutation =
  | { kind: 'flip'; at: number; bits: number }
  | { kind: 'set'; at: number; value: number }
  | { kind: 'truncate'; at: number }
  | { kind: 'insert'; at: number; value: number }
  | { kind: 'delete'; at: number }

const mutationArb: fc.Arbitrary<Mutation> = fc.oneof(
  fc.record({
    kind: fc.constant('flip' as const),
    at: fc.nat(),
    bits: fc.integer({ min: 1, max: 255 })
  }),
  // Bytes that hit the extended and reserved nibbles and the payload marker.
  fc.record({
    kind: fc.constant('set' as const),
    at: fc.nat(),
    value: fc.constantFrom(0x0d, 0x0e, 0x0f, 0xd0, 0xe0, 0xf0, 0xff, 0)
  }),
  fc.record({ kind: fc.constant('truncate' as const), at: fc.nat() }),
  fc.record({ kind: fc.constant('insert' as const), at: fc.nat(), value: fc.nat(255) }),
  fc.record({ kind: fc.constant('delete' as const), at: fc.nat() })
)

function mutate(d: Uint8Array, ms: Mutation[]): Uint8Array {
  let b = Array.from(d)
  for (const m of ms) {
    const at = b.length === 0 ? 0 : m.at % (b.length + (m.kind === 'insert' ? 1 : 0))
    switch (m.kind) {
      case 'flip':
        if (b.length > 0) b[at] = b[at]! ^ m.bits
        break
      case 'set':
        if (b.length > 0) b[at] = m.value
        break
      case 'truncate':
        b = b.slice(0, at)
        break
      case 'insert':
        b.splice(at, 0, m.value)
        break
      case 'delete':
        b.splice(at, 1)
        break
    }
  }
  return Uint8Array.from(b)
}

const mutatedDatagram = fc
  .tuple(messageArb(), fc.array(mutationArb, { minLength: 1, maxLength: 3 }))
  .map(([m, ms]) => mutate(encodeMessage(m), ms))

describe('RFC 7252 §3: decodeMessage never throws and stays consistent', () => {
  // The inputs reached both outcomes and every rule, so the invariants were not checked in vain.
  afterAll(() => {
    expect(seen.clean).toBeGreaterThan(1000)
    expect(seen.rejected).toBeGreaterThan(1000)
    expect([...RULES].filter((r) => !seen.rules.has(r))).toEqual([])
  })

  it('on 25 000 random datagrams', () => {
    fc.assert(fc.property(randomDatagram, checkInvariants), { numRuns: 25_000 })
  })

  it('on 25 000 mutations of valid datagrams (flips, nibble 13/14/15 bytes, cuts, inserts)', () => {
    fc.assert(fc.property(mutatedDatagram, checkInvariants), { numRuns: 25_000 })
  })

  it('on every 1- and 2-byte datagram and every 4-byte header with TKL and class varied', () => {
    for (let a = 0; a < 256; a++) {
      checkInvariants(Uint8Array.of(a))
      for (let b = 0; b < 256; b++) checkInvariants(Uint8Array.of(a, b))
    }
    for (let b0 = 0; b0 < 256; b0++) {
      for (const b1 of [0x00, 0x01, 0x1f, 0x20, 0x45, 0x84, 0xc0, 0xe1]) {
        checkInvariants(Uint8Array.of(b0, b1, 0x12, 0x34))
      }
    }
  })
})
