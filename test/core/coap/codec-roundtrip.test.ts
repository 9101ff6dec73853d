// SPDX-License-Identifier: Apache-2.0
// RFC 7252 §3/§3.1 encode → decode over generated messages, the encoder's canonical form, and
// what the encoder refuses to write.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  coapCodec,
  decodeMessage,
  encodeMessage,
  MAX_OPTION_LENGTH
} from '../../../src-main/core/coap/codec'
import type { CoapMessage } from '../../../src-main/core/coap/message'
import { hex, messageArb, plain, stableSorted, toHex } from './helpers'

const msg = (over: Partial<CoapMessage>): CoapMessage => ({
  type: 'CON',
  code: 1,
  messageId: 1,
  token: new Uint8Array(0),
  options: [],
  payload: new Uint8Array(0),
  ...over
})

describe('RFC 7252 §3: encode → decode gives the message back', () => {
  it('for generated messages with every delta and length form (no violations)', () => {
    fc.assert(
      fc.property(messageArb(), (m) => {
        const bytes = encodeMessage(m)
        const r = decodeMessage(bytes)
        expect(r.violations).toEqual([])
        expect(plain(r.message!)).toEqual(plain(m))
        expect(r.messageId).toBe(m.messageId)
        // §4.2: only the ping (Empty CON) is answered with a RST.
        expect(r.reject).toBe(m.code === 0 && m.type === 'CON' ? 'rst' : null)
      }),
      { numRuns: 2000 }
    )
  })

  it('re-encoding a decoded message reproduces the bytes (the encoding is canonical)', () => {
    fc.assert(
      fc.property(messageArb(), (m) => {
        const bytes = encodeMessage(m)
        expect(toHex(encodeMessage(decodeMessage(bytes).message!))).toBe(toHex(bytes))
      }),
      { numRuns: 1000 }
    )
  })

  it('options given out of order come back ascending, repeats in their given order (§3.1)', () => {
    fc.assert(
      fc.property(messageArb(false), (m) => {
        const r = decodeMessage(encodeMessage(m))
        expect(r.violations).toEqual([])
        const sorted = plain({ ...m, options: stableSorted(m.options) })
        expect(plain(r.message!)).toEqual(sorted)
      }),
      { numRuns: 1000 }
    )
  })

  it('the coapCodec object is the same codec', () => {
    const m = msg({ token: hex('ab'), options: [{ number: 11, value: hex('72 64') }] })
    expect(toHex(coapCodec.encode(m))).toBe('41 01 00 01 ab b2 72 64')
    expect(plain(coapCodec.decode(hex('41 01 00 01 ab b2 72 64')).message!)).toEqual(plain(m))
  })
})

describe('RFC 7252 §3.1: the encoder writes the shortest form', () => {
  const cases: [number, number, string][] = [
    // [option number, value length, expected header bytes]
    [12, 12, 'cc'],
    [13, 13, 'dd 00 00'],
    [268, 268, 'dd ff ff'],
    [269, 269, 'ee 00 00 00 00'],
    [65535, MAX_OPTION_LENGTH, 'ee fe f2 ff ff']
  ]
  for (const [n, len, head] of cases) {
    it(`option ${n} with a ${len}-byte value starts ${head}`, () => {
      const out = encodeMessage(msg({ options: [{ number: n, value: new Uint8Array(len) }] }))
      const headLen = head.split(' ').length
      expect(toHex(out.subarray(4, 4 + headLen))).toBe(head)
      expect(out.length).toBe(4 + headLen + len)
      const back = decodeMessage(out)
      expect(back.violations).toEqual([])
      expect(back.message!.options[0]!.value.length).toBe(len)
    })
  }

  it('never writes a payload marker for an empty payload (§3)', () => {
    expect(toHex(encodeMessage(msg({})))).toBe('40 01 00 01')
    expect(toHex(encodeMessage(msg({ payload: hex('00') })))).toBe('40 01 00 01 ff 00')
  })

  it('is deterministic: the order of options with different numbers does not matter', () => {
    fc.assert(
      fc.property(messageArb(false), (m) => {
        // Reverse the groups of equal numbers, keeping each group's inner order.
        const groups = new Map<number, CoapMessage['options'][number][]>()
        for (const o of m.options) groups.set(o.number, [...(groups.get(o.number) ?? []), o])
        const reordered = [...groups.values()].reverse().flat()
        expect(toHex(encodeMessage({ ...m, options: reordered }))).toBe(toHex(encodeMessage(m)))
      }),
      { numRuns: 300 }
    )
  })
})

describe('RFC 7252 §3: decoded fields are views into the datagram, not copies', () => {
  it('token, option values and payload share the datagram buffer', () => {
    const d = hex('41 45 00 01 aa b2 72 64 ff 01 02')
    const m = decodeMessage(d).message!
    for (const part of [m.token, m.options[0]!.value, m.payload]) expect(part.buffer).toBe(d.buffer)
    expect(m.payload.byteOffset).toBe(d.byteOffset + 9)
  })

  it('a datagram that is a view into a larger buffer decodes from its own offset', () => {
    const big = hex('ff ff ff 41 45 00 01 aa ff 7a ee')
    const r = decodeMessage(big.subarray(3, 10))
    expect(r.violations).toEqual([])
    expect(toHex(r.message!.payload)).toBe('7a')
  })
})

describe('RFC 7252 §3: the encoder refuses what the format cannot carry', () => {
  const bad: [string, Partial<CoapMessage>, RegExp][] = [
    ['a 9-byte token', { token: new Uint8Array(9) }, /token is 9 bytes/],
    ['Message ID -1', { messageId: -1 }, /Message ID/],
    ['Message ID 65536', { messageId: 65536 }, /Message ID/],
    ['Message ID 1.5', { messageId: 1.5 }, /Message ID/],
    ['code 256', { code: 256 }, /code/],
    ['option number 65536', { options: [{ number: 65536, value: hex('') }] }, /option number/],
    ['option number -1', { options: [{ number: -1, value: hex('') }] }, /option number/],
    [
      'an option value of 65805 bytes',
      { options: [{ number: 1, value: new Uint8Array(MAX_OPTION_LENGTH + 1) }] },
      /65805 bytes/
    ]
  ]
  for (const [name, over, message] of bad) {
    it(name, () => {
      expect(() => encodeMessage(msg(over))).toThrow(RangeError)
      expect(() => encodeMessage(msg(over))).toThrow(message)
    })
  }

  it('an 8-byte token and Message IDs 0 and 65535 are fine', () => {
    expect(toHex(encodeMessage(msg({ token: hex('0102030405060708'), messageId: 0 })))).toBe(
      '48 01 00 00 01 02 03 04 05 06 07 08'
    )
    expect(toHex(encodeMessage(msg({ messageId: 65535 })))).toBe('40 01 ff ff')
  })
})
