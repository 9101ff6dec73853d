// SPDX-License-Identifier: Apache-2.0
// coap-packet (node-coap's parser/generator) as an independent oracle for RFC 7252 §3 bytes,
// both ways. Its model is looser than ours (it also reads RFC 8974 extended tokens and does not
// check option overruns), so it is compared only where both models describe the same thing.
import { generate, parse, type ParsedPacket } from 'coap-packet'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { decodeMessage, encodeMessage } from '../../../src-main/core/coap/codec'
import { formatCode, type CoapMessage, type MessageType } from '../../../src-main/core/coap/message'
import { OPTION_DEFS } from '../../../src-main/core/coap/options'
import { messageArb, plain, toHex } from './helpers'

// coap-packet names the options it knows; map its names back to numbers.
const NUMBER_BY_NAME = new Map<string, number>([
  ...OPTION_DEFS.map((d) => [d.name, d.number] as [string, number]),
  ['OCF-Accept-Content-Format-Version', 2049],
  ['OCF-Content-Format-Version', 2053]
])

function fromOracle(p: ParsedPacket): unknown {
  const type: MessageType = p.confirmable ? 'CON' : p.ack ? 'ACK' : p.reset ? 'RST' : 'NON'
  const [cls, detail] = p.code.split('.').map(Number) as [number, number]
  return plain({
    type,
    code: cls * 32 + detail,
    messageId: p.messageId,
    token: p.token,
    options: p.options.map((o) => ({
      number: typeof o.name === 'number' ? o.name : (NUMBER_BY_NAME.get(o.name) ?? Number(o.name)),
      value: o.value
    })),
    payload: p.payload
  })
}

function toOracle(m: CoapMessage): Parameters<typeof generate>[0] {
  return {
    code: formatCode(m.code),
    messageId: m.messageId,
    token: Buffer.from(m.token),
    confirmable: m.type === 'CON',
    ack: m.type === 'ACK',
    reset: m.type === 'RST',
    options: m.options.map((o) => ({ name: o.number, value: Buffer.from(o.value) })),
    payload: Buffer.from(m.payload)
  }
}

const MAX = 1 << 20

describe('RFC 7252 §3 cross-checked against coap-packet', () => {
  it('coap-packet parses what we encode into the same message', () => {
    fc.assert(
      fc.property(messageArb(), (m) => {
        expect(fromOracle(parse(Buffer.from(encodeMessage(m))))).toEqual(plain(m))
      }),
      { numRuns: 2000 }
    )
  })

  it('we decode what coap-packet generates, cleanly, and would have written the same bytes', () => {
    fc.assert(
      fc.property(messageArb(false), (m) => {
        const theirs = new Uint8Array(generate(toOracle(m), MAX))
        const r = decodeMessage(theirs)
        expect(r.violations).toEqual([])
        expect(toHex(encodeMessage(m))).toBe(toHex(theirs))
        expect(fromOracle(parse(Buffer.from(theirs)))).toEqual(plain(r.message!))
      }),
      { numRuns: 2000 }
    )
  })

  it('on random datagrams: what we accept it reads alike; what it refuses, we flag', () => {
    const datagram = fc.tuple(fc.nat({ max: 0x3f }), fc.uint8Array({ maxLength: 40 }))
    let accepted = 0
    let refused = 0
    fc.assert(
      fc.property(datagram, ([b0, rest]) => {
        // A Ver 1 first byte, so that most inputs get past the header.
        const d = Uint8Array.from([0x40 | b0, ...rest])
        const ours = decodeMessage(d)
        let theirs: ParsedPacket | null
        try {
          theirs = parse(Buffer.from(d))
        } catch {
          theirs = null
        }
        if (theirs === null) {
          refused++
          expect(ours.violations.length).toBeGreaterThan(0)
        } else if (ours.violations.length === 0) {
          accepted++
          expect(fromOracle(theirs)).toEqual(plain(ours.message!))
        }
      }),
      { numRuns: 5000 }
    )
    expect(accepted).toBeGreaterThan(50)
    expect(refused).toBeGreaterThan(50)
  })
})
