// SPDX-License-Identifier: Apache-2.0
// The datagrams of coap-facts §1.2, §1.6, §9.3 and §12 (seen on loopback with libcoap 4.3.1),
// decoded field by field and encoded back to the same bytes.
import { describe, expect, it } from 'vitest'
import { decodeMessage, encodeMessage } from '../../../src-main/core/coap/codec'
import { Method, Option, Response } from '../../../src-main/core/coap/message'
import { ascii, hex, plain, rules, toHex } from './helpers'

/** Decodes, expects a clean message, and checks that encoding gives the same bytes back. */
function clean(h: string) {
  const bytes = hex(h)
  const r = decodeMessage(bytes)
  expect(r.violations).toEqual([])
  expect(r.message).not.toBeNull()
  expect(toHex(encodeMessage(r.message!))).toBe(toHex(bytes))
  return r
}

describe('RFC 7252 §3 header and token: libcoap datagrams of coap-facts §12', () => {
  it('CON GET / is 41 01 b5 6f 01 (TKL 1, MID 0xb56f, token 01, no options)', () => {
    const r = clean('41 01 b5 6f 01')
    expect(plain(r.message!)).toEqual({
      type: 'CON', code: Method.GET, messageId: 0xb56f, token: [0x01], options: [], payload: []
    })
    expect(r.reject).toBeNull()
    expect(r.messageId).toBe(0xb56f)
  })

  it('2.05 with Max-Age 0x02ffff: 0xFF inside an option value is not a marker (§3.1)', () => {
    const r = clean('61 45 b5 6f 01 d3 01 02 ff ff ff 54 68')
    expect(plain(r.message!)).toEqual({
      type: 'ACK',
      code: Response.CONTENT,
      messageId: 0xb56f,
      token: [0x01],
      options: [{ number: Option.MAX_AGE, value: [0x02, 0xff, 0xff] }],
      payload: Array.from(ascii('Th'))
    })
  })

  it('Observe registration 41 01 9c 82 01 60 54 "time": Observe 0 is empty (RFC 7641 §2)', () => {
    const r = clean('41 01 9c 82 01 60 54 74 69 6d 65')
    expect(plain(r.message!)).toMatchObject({
      type: 'CON',
      code: Method.GET,
      messageId: 0x9c82,
      options: [
        { number: Option.OBSERVE, value: [] },
        { number: Option.URI_PATH, value: Array.from(ascii('time')) }
      ],
      payload: []
    })
  })

  it('first notification 61 45 9c 82 01 61 02 81 01 ff ..: Observe 2, Max-Age 1, payload', () => {
    const r = clean('61 45 9c 82 01 61 02 81 01 ff 31 32')
    expect(plain(r.message!)).toMatchObject({
      type: 'ACK',
      code: Response.CONTENT,
      options: [
        { number: Option.OBSERVE, value: [2] },
        { number: Option.MAX_AGE, value: [1] }
      ],
      payload: [0x31, 0x32]
    })
  })

  it('CON notification 41 45 22 f5 01 61 03 81 01 ff .. and its Empty ACK 60 00 22 f5', () => {
    const n = clean('41 45 22 f5 01 61 03 81 01 ff 31')
    expect(n.message!.type).toBe('CON')
    expect(n.message!.code).toBe(Response.CONTENT)
    expect(n.reject).toBeNull()
    const ack = clean('60 00 22 f5')
    expect(plain(ack.message!)).toEqual({
      type: 'ACK', code: 0, messageId: 0x22f5, token: [], options: [], payload: []
    })
    expect(ack.reject).toBeNull()
  })

  it('deregistration 41 01 9c 83 01 61 01 54 "time": Observe 1 (RFC 7641 §3.6)', () => {
    const r = clean('41 01 9c 83 01 61 01 54 74 69 6d 65')
    expect(r.message!.options.map((o) => [o.number, toHex(o.value)])).toEqual([
      [Option.OBSERVE, '01'],
      [Option.URI_PATH, '74 69 6d 65']
    ])
  })

  it('PUT response 2.01 Created is 61 41 2d ba 01', () => {
    const r = clean('61 41 2d ba 01')
    expect(r.message!.type).toBe('ACK')
    expect(r.message!.code).toBe(Response.CREATED)
    expect(r.message!.messageId).toBe(0x2dba)
  })

  it('Block2 request: c1 12 after Uri-Path is Block2 (23) = 0x12 (§1.2, RFC 7959 §2.2)', () => {
    const r = clean('41 01 00 07 01 b4 74 69 6d 65 c1 12')
    expect(r.message!.options.map((o) => [o.number, toHex(o.value)])).toEqual([
      [Option.URI_PATH, '74 69 6d 65'],
      [Option.BLOCK2, '12']
    ])
  })

  it('Block2 response: c1 28 b1 1a ff = Content-Format 40, Block2 0x1a, then the payload', () => {
    const body = '00 '.repeat(64)
    const r = clean(`61 45 00 07 01 c1 28 b1 1a ff ${body}`)
    expect(r.message!.options.map((o) => [o.number, toHex(o.value)])).toEqual([
      [Option.CONTENT_FORMAT, '28'],
      [Option.BLOCK2, '1a']
    ])
    expect(r.message!.payload.length).toBe(64)
  })
})

describe('RFC 7252 §3.1 worked option examples of coap-facts §1.2', () => {
  it('b4 74 69 6d 65 as first option is Uri-Path (11) "time"', () => {
    const r = clean('40 01 00 01 b4 74 69 6d 65')
    expect(r.message!.options).toHaveLength(1)
    expect(r.message!.options[0]!.number).toBe(11)
    expect(new TextDecoder().decode(r.message!.options[0]!.value)).toBe('time')
  })

  it('d3 01 02 ff ff is delta 13+1 = 14 (Max-Age), length 3, value 02 ff ff', () => {
    const r = clean('60 45 00 01 d3 01 02 ff ff')
    expect(r.message!.options.map((o) => [o.number, toHex(o.value)])).toEqual([[14, '02 ff ff']])
  })

  it('a 2-byte extended delta: 14 + 0x0000 = 269, then a 1-byte extended length 13 + 2', () => {
    // e d | 00 00 | 02 | 15 value bytes: Option 269, length 15.
    const value = '11 '.repeat(15)
    const r = clean(`50 01 00 02 ed 00 00 02 ${value}`)
    expect(r.message!.options.map((o) => [o.number, o.value.length])).toEqual([[269, 15]])
  })

  it('a 2-byte extended length: length nibble 14 + 0x0001 = 270 bytes', () => {
    const value = 'aa '.repeat(270)
    const r = clean(`50 02 00 03 1e 00 01 ${value}`)
    expect(r.message!.options.map((o) => [o.number, o.value.length])).toEqual([[1, 270]])
  })
})

describe('RFC 7252 §4.2/§4.3 and slipmux (coap-facts §9.3): Empty messages', () => {
  it('a CoAP ping (Empty CON 40 00 12 34) is well-formed and is answered with a RST', () => {
    const r = clean('40 00 12 34')
    expect(r.reject).toBe('rst')
    expect(r.messageId).toBe(0x1234)
  })

  it('the courtesy RST 70 00 12 34 is a clean Empty RST', () => {
    const r = clean('70 00 12 34')
    expect(r.message!.type).toBe('RST')
    expect(r.reject).toBeNull()
  })

  it('CON GET /.well-known/core, MID 1, token 01 (the slipmux example frame content)', () => {
    const r = clean('41 01 00 01 01 bb 2e 77 65 6c 6c 2d 6b 6e 6f 77 6e 04 63 6f 72 65')
    expect(r.message!.options.map((o) => new TextDecoder().decode(o.value))).toEqual([
      '.well-known',
      'core'
    ])
    expect(r.message!.options.every((o) => o.number === Option.URI_PATH)).toBe(true)
  })
})

describe('RFC 7252 §1.6 malformed datagrams libcoap answered with RST (coap-facts §1.6)', () => {
  it('CON GET with TKL 9 is a format error answered with RST', () => {
    const r = decodeMessage(hex('49 01 00 05 01 02 03 04 05 06 07 08 09'))
    expect(rules(r)).toEqual(['coap.tkl-reserved'])
    expect(r.reject).toBe('rst')
    expect(r.messageId).toBe(5)
  })

  it('CON GET with a payload marker and no payload is a format error answered with RST', () => {
    const r = decodeMessage(hex('41 01 00 06 01 ff'))
    expect(rules(r)).toEqual(['coap.payload-marker-empty'])
    expect(r.reject).toBe('rst')
    expect(r.violations[0]!.offset).toBe(5)
  })
})
