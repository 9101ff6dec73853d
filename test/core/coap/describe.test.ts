// SPDX-License-Identifier: Apache-2.0
// One-line message summaries for logs and the inspector.
import { describe, expect, it } from 'vitest'
import { decodeMessage, encodeMessage } from '../../../src-main/core/coap/codec'
import { codeName, describeMessage } from '../../../src-main/core/coap/describe'
import { Method, Option, type CoapMessage } from '../../../src-main/core/coap/message'
import { pathOptions, queryOptions, uintOptionOf } from '../../../src-main/core/coap/options'
import { ascii, hex } from './helpers'

const base: CoapMessage = {
  type: 'CON',
  code: Method.POST,
  messageId: 0x1234,
  token: hex('ab12'),
  options: [],
  payload: new Uint8Array(0)
}

describe('describeMessage', () => {
  it('an LwM2M Register: type, method, MID, token, URI, other options, payload size', () => {
    const m: CoapMessage = {
      ...base,
      options: [
        ...pathOptions(['rd']),
        uintOptionOf(Option.CONTENT_FORMAT, 40),
        ...queryOptions(['ep=dev1', 'lt=300'])
      ],
      payload: new Uint8Array(123)
    }
    expect(describeMessage(m)).toBe(
      'CON POST mid=0x1234 tok=ab12 /rd?ep=dev1&lt=300 [Content-Format: 40] 123 B'
    )
  })

  it('libcoap datagrams of coap-facts §12 read as people expect', () => {
    const d = (h: string) => describeMessage(decodeMessage(hex(h)).message!)
    expect(d('41 01 b5 6f 01')).toBe('CON GET mid=0xb56f tok=01 /')
    expect(d('61 45 b5 6f 01 d3 01 02 ff ff ff 54 68')).toBe(
      'ACK 2.05 Content mid=0xb56f tok=01 [Max-Age: 196607] 2 B'
    )
    expect(d('41 01 9c 82 01 60 54 74 69 6d 65')).toBe(
      'CON GET mid=0x9c82 tok=01 /time [Observe: 0]'
    )
    expect(d('60 00 22 f5')).toBe('ACK Empty mid=0x22f5')
    expect(d('61 45 00 07 01 c1 28 b1 1a ff 00')).toBe(
      'ACK 2.05 Content mid=0x0007 tok=01 [Content-Format: 40] [Block2: 1/1/64] 1 B'
    )
  })

  it('a Register reply shows its Location, an unknown option its number and hex value', () => {
    const m = decodeMessage(hex('61 41 12 34 ab 82 72 64 04 35 61 33 66')).message!
    expect(describeMessage(m)).toBe('ACK 2.01 Created mid=0x1234 tok=ab loc=/rd/5a3f')
    const options = [{ number: 65000, value: hex('0a0b') }]
    const u = encodeMessage({ ...base, code: Method.GET, options })
    expect(describeMessage(decodeMessage(u).message!)).toBe(
      'CON GET mid=0x1234 tok=ab12 / [Option 65000: 0x0a0b]'
    )
  })

  it('empty-format options show bare, and separators inside segments are percent-encoded', () => {
    const m: CoapMessage = {
      ...base,
      code: Method.PUT,
      options: [
        { number: Option.IF_NONE_MATCH, value: new Uint8Array(0) },
        ...pathOptions(['a/b', 'c d']),
        ...queryOptions(['x=1&y'])
      ]
    }
    expect(describeMessage(m)).toBe(
      'CON PUT mid=0x1234 tok=ab12 /a%2Fb/c%20d?x=1%26y [If-None-Match]'
    )
  })

  it('long string and opaque values are cut so the summary stays one short line', () => {
    const m: CoapMessage = {
      ...base,
      options: [{ number: Option.URI_HOST, value: ascii(`${'h'.repeat(100)}\n`) }]
    }
    const host = 'h'.repeat(64)
    expect(describeMessage(m)).toBe(`CON POST mid=0x1234 tok=ab12 / [Uri-Host: ${host}…]`)
    const big: CoapMessage = { ...base, options: [{ number: 65000, value: new Uint8Array(1000) }] }
    const zeros = '00'.repeat(32)
    expect(describeMessage(big)).toBe(`CON POST mid=0x1234 tok=ab12 / [Option 65000: 0x${zeros}…]`)
  })
})

describe('codeName (RFC 7252 §12.1, coap-facts §3.8)', () => {
  it('names methods, responses and Empty, and falls back to c.dd', () => {
    expect(codeName(0)).toBe('Empty')
    expect(codeName(Method.IPATCH)).toBe('iPATCH')
    expect(codeName(0x5f)).toBe('2.31 Continue')
    expect(codeName(0x82)).toBe('4.02 Bad Option')
    expect(codeName(0xa8)).toBe('5.08 Hop Limit Reached')
    expect(codeName(0x08)).toBe('0.08')
    expect(codeName(0x47)).toBe('2.07')
    expect(codeName(0xe1)).toBe('7.01')
  })
})
