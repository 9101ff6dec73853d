// SPDX-License-Identifier: Apache-2.0
// The option registry against coap-facts §2, RFC 7252 §3.2 uint/string values, the readers and
// builders, and RFC 7252 §5.4.1/§5.4.3/§5.4.5 for unrecognised critical options.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { decodeMessage, encodeMessage } from '../../../src-main/core/coap/codec'
import { Method, Option, Response, type CoapMessage } from '../../../src-main/core/coap/message'
import {
  accept,
  contentFormat,
  decodeUint,
  encodeUint,
  getOption,
  getOptions,
  hasOption,
  isCritical,
  isNoCacheKey,
  isUnsafe,
  locationPath,
  locationQuery,
  observe,
  OPTION_DEFS,
  optionDef,
  optionName,
  pathOptions,
  queryOptions,
  stringOption,
  uintOption,
  uintOptionOf,
  unrecognizedCriticalOptions,
  uriPath,
  uriQuery,
  withOption,
  withoutOptions,
  withUintOption
} from '../../../src-main/core/coap/options'
import { ascii, hex, toHex } from './helpers'

// coap-facts §2, transcribed: number, name, C, U, N ('-' = not applicable), R, format, length,
// default. OSCORE's "special" format is handled as opaque.
const FACTS: [number, string, string, string, string, string, string, string, number | null][] = [
  [1, 'If-Match', 'x', '', '', 'x', 'opaque', '0-8', null],
  [3, 'Uri-Host', 'x', 'x', '-', '', 'string', '1-255', null],
  [4, 'ETag', '', '', '', 'x', 'opaque', '1-8', null],
  [5, 'If-None-Match', 'x', '', '', '', 'empty', '0-0', null],
  [6, 'Observe', '', 'x', '-', '', 'uint', '0-3', null],
  [7, 'Uri-Port', 'x', 'x', '-', '', 'uint', '0-2', null],
  [8, 'Location-Path', '', '', '', 'x', 'string', '0-255', null],
  [9, 'OSCORE', 'x', '', '', '', 'opaque', '0-255', null],
  [11, 'Uri-Path', 'x', 'x', '-', 'x', 'string', '0-255', null],
  [12, 'Content-Format', '', '', '', '', 'uint', '0-2', null],
  [14, 'Max-Age', '', 'x', '-', '', 'uint', '0-4', 60],
  [15, 'Uri-Query', 'x', 'x', '-', 'x', 'string', '0-255', null],
  [16, 'Hop-Limit', '', '', '', '', 'uint', '1-1', 16],
  [17, 'Accept', 'x', '', '', '', 'uint', '0-2', null],
  [19, 'Q-Block1', 'x', 'x', '-', '', 'uint', '0-3', null],
  [20, 'Location-Query', '', '', '', 'x', 'string', '0-255', null],
  [21, 'EDHOC', 'x', '', '', '', 'empty', '0-0', null],
  [23, 'Block2', 'x', 'x', '-', '', 'uint', '0-3', null],
  [27, 'Block1', 'x', 'x', '-', '', 'uint', '0-3', null],
  [28, 'Size2', '', '', 'x', '', 'uint', '0-4', null],
  [31, 'Q-Block2', 'x', 'x', '-', 'x', 'uint', '0-3', null],
  [35, 'Proxy-Uri', 'x', 'x', '-', '', 'string', '1-1034', null],
  [39, 'Proxy-Scheme', 'x', 'x', '-', '', 'string', '1-255', null],
  [60, 'Size1', '', '', 'x', '', 'uint', '0-4', null],
  [252, 'Echo', '', '', 'x', '', 'opaque', '1-40', null],
  [258, 'No-Response', '', 'x', '-', '', 'uint', '0-1', 0],
  [292, 'Request-Tag', '', '', '', 'x', 'opaque', '0-8', null]
]

describe('coap-facts §2: the option registry', () => {
  it('holds exactly the options of the facts table', () => {
    expect(OPTION_DEFS.map((d) => d.number)).toEqual(FACTS.map((f) => f[0]))
  })

  for (const [n, name, c, u, nck, r, format, length, dflt] of FACTS) {
    it(`${n} ${name}: C/U/N from the RFC 7252 §5.4.6 bits match the table`, () => {
      const [min, max] = length.split('-').map(Number)
      expect(optionDef(n)).toEqual({
        number: n,
        name,
        critical: c === 'x',
        unsafe: u === 'x',
        noCacheKey: nck === 'x',
        repeatable: r === 'x',
        format,
        minLength: min,
        maxLength: max,
        default: dflt
      })
    })
  }

  it('the message vocabulary (Option in message.ts) agrees with the registry names', () => {
    expect(optionName(Option.CONTENT_FORMAT)).toBe('Content-Format')
    expect(optionName(Option.REQUEST_TAG)).toBe('Request-Tag')
    for (const n of Object.values(Option)) expect(optionDef(n)).toBeDefined()
  })

  it('an unregistered number is named by its number; its bits still classify it (§5.4.6)', () => {
    expect(optionName(65001)).toBe('Option 65001')
    expect([isCritical(65001), isUnsafe(65001), isNoCacheKey(65001)]).toEqual([true, false, false])
    // 0x1c in the low bits of a safe option: NoCacheKey (§5.4.6 Figure 11).
    expect(isNoCacheKey(0xfc)).toBe(true)
    expect(isNoCacheKey(0xfe)).toBe(false)
  })
})

describe('RFC 7252 §3.2: uint values', () => {
  it('reads leading zeros (a receiver MUST accept them) and the empty value as 0', () => {
    expect(decodeUint(hex(''))).toBe(0)
    expect(decodeUint(hex('00 00 01'))).toBe(1)
    expect(decodeUint(hex('00 00 00 00 00 00 01 00'))).toBe(256)
    expect(decodeUint(hex('ff ff ff ff'))).toBe(0xffffffff)
    expect(decodeUint(hex('1f ff ff ff ff ff ff'))).toBe(Number.MAX_SAFE_INTEGER)
    expect(decodeUint(hex('20 00 00 00 00 00 00'))).toBeNull()
  })

  it('writes the minimal form: 0 is empty, 1 is 01, 256 is 01 00', () => {
    expect(toHex(encodeUint(0))).toBe('')
    expect(toHex(encodeUint(1))).toBe('01')
    expect(toHex(encodeUint(255))).toBe('ff')
    expect(toHex(encodeUint(256))).toBe('01 00')
    expect(toHex(encodeUint(60))).toBe('3c')
    expect(toHex(encodeUint(0xffffffff))).toBe('ff ff ff ff')
  })

  it('minimal encoding round trips and never starts with a zero byte', () => {
    fc.assert(
      fc.property(fc.maxSafeNat(), (n) => {
        const b = encodeUint(n)
        expect(decodeUint(b)).toBe(n)
        if (b.length > 0) expect(b[0]).not.toBe(0)
      })
    )
  })

  it('refuses negative, fractional and unsafe numbers', () => {
    for (const n of [-1, 1.5, Number.NaN, 2 ** 53]) expect(() => encodeUint(n)).toThrow(RangeError)
  })
})

describe('RFC 7252 §5.10: reading and building options', () => {
  // An LwM2M Register as the client sends it (LwM2M Transport §6.x: POST /rd?ep=..&lt=..).
  const register: CoapMessage = {
    type: 'CON',
    code: Method.POST,
    messageId: 0x1234,
    token: hex('ab12'),
    options: [
      ...queryOptions(['ep=dev1', 'lt=300']),
      uintOptionOf(Option.CONTENT_FORMAT, 40),
      ...pathOptions(['rd'])
    ],
    payload: ascii('</1/0>,</3/0>')
  }

  it('builders give options that survive the wire and read back through the helpers', () => {
    const m = decodeMessage(encodeMessage(register)).message!
    expect(uriPath(m)).toEqual(['rd'])
    expect(uriQuery(m)).toEqual(['ep=dev1', 'lt=300'])
    expect(contentFormat(m)).toBe(40)
    expect(accept(m)).toBeNull()
    expect(observe(m)).toBeNull()
    expect(m.options.map((o) => o.number)).toEqual([11, 12, 15, 15])
  })

  it('reads the Location of a 2.01 Created Register reply', () => {
    const m = decodeMessage(hex('61 41 12 34 ab 82 72 64 04 35 61 33 66 c3 76 3d 31')).message!
    expect(m.code).toBe(Response.CREATED)
    expect(locationPath(m)).toEqual(['rd', '5a3f'])
    expect(locationQuery(m)).toEqual(['v=1'])
  })

  it('Observe 0 on the wire is the empty value (RFC 7641 §2), Accept reads its uint', () => {
    const m = decodeMessage(hex('41 01 9c 82 01 60 54 74 69 6d 65 62 2d 16')).message!
    expect(observe(m)).toBe(0)
    expect(accept(m)).toBe(11542)
    expect(uriPath(m)).toEqual(['time'])
  })

  it('getOption gives the first occurrence, getOptions all, both nothing when absent', () => {
    const m = decodeMessage(encodeMessage(register)).message!
    expect(toHex(getOption(m, Option.URI_QUERY)!.value)).toBe(toHex(ascii('ep=dev1')))
    expect(getOptions(m, Option.URI_QUERY)).toHaveLength(2)
    expect(getOption(m, Option.ETAG)).toBeNull()
    expect(getOptions(m, Option.ETAG)).toEqual([])
    expect(uintOption(m, Option.MAX_AGE)).toBeNull()
    expect(stringOption(m, Option.URI_HOST)).toBeNull()
  })

  it('strings are UTF-8 both ways, and empty path segments are kept', () => {
    const opts = pathOptions(['größe', '', '温度'])
    expect(toHex(opts[0]!.value)).toBe('67 72 c3 b6 c3 9f 65')
    expect(opts[1]!.value.length).toBe(0)
    const m = decodeMessage(encodeMessage({ ...register, options: opts })).message!
    expect(uriPath(m)).toEqual(['größe', '', '温度'])
    expect(stringOption(m, Option.URI_PATH)).toBe('größe')
  })

  it('a segment or argument over 255 bytes is refused (§5.10.1)', () => {
    expect(() => pathOptions(['a'.repeat(256)])).toThrow(RangeError)
    expect(() => queryOptions(['é'.repeat(128)])).toThrow(/256 bytes/)
    expect(pathOptions(['a'.repeat(255)])[0]!.value.length).toBe(255)
  })
})

describe('RFC 7252 §5.4.1: unrecognised critical options', () => {
  const withOptions = (...options: [number, string][]): CoapMessage => ({
    type: 'CON',
    code: Method.POST,
    messageId: 1,
    token: hex(''),
    options: options.map(([number, value]) => ({ number, value: hex(value) })),
    payload: hex('')
  })

  it('option 19, which libcoap 4.3.1 answered with 4.02 (coap-facts §1.6), unless known', () => {
    const m = withOptions([11, '61'], [19, '08'])
    expect(unrecognizedCriticalOptions(m, new Set([11, 15]))).toEqual([19])
    // The registry knows Q-Block1 (RFC 9177), so by default it is recognised.
    expect(unrecognizedCriticalOptions(m)).toEqual([])
  })

  it('unknown odd numbers are listed, unknown even (elective) ones are ignored', () => {
    const m = withOptions([65000, '01'], [65001, '01'], [65003, ''])
    expect(unrecognizedCriticalOptions(m)).toEqual([65001, 65003])
  })

  it('a repeat of a non-repeatable critical option counts as unrecognised (§5.4.5)', () => {
    expect(unrecognizedCriticalOptions(withOptions([3, '61'], [3, '62']))).toEqual([3])
    expect(unrecognizedCriticalOptions(withOptions([17, '28'], [17, '29']))).toEqual([17])
    // Repeatable critical (Uri-Path) and a repeated elective (Content-Format) are fine here.
    const fine = withOptions([11, '61'], [11, '62'], [12, ''], [12, '28'])
    expect(unrecognizedCriticalOptions(fine)).toEqual([])
  })

  it('a length outside the defined range counts as unrecognised (§5.4.3)', () => {
    expect(unrecognizedCriticalOptions(withOptions([3, '']))).toEqual([3])
    expect(unrecognizedCriticalOptions(withOptions([5, '00']))).toEqual([5])
    expect(unrecognizedCriticalOptions(withOptions([17, '00 00 28']))).toEqual([17])
    expect(unrecognizedCriticalOptions(withOptions([23, '00 00 00 12']))).toEqual([23])
    // Elective with a bad length (Content-Format of 3 bytes): silently ignored, not listed.
    expect(unrecognizedCriticalOptions(withOptions([12, '00 00 28']))).toEqual([])
  })

  it('with a `known` set only those numbers are recognised, still with registry checks', () => {
    const known = new Set([11, 15, 17])
    const m = withOptions([11, '61'], [12, '28'], [17, '28'], [23, '12'])
    expect(unrecognizedCriticalOptions(m, known)).toEqual([23])
    expect(unrecognizedCriticalOptions(withOptions([17, '00 00 00']), known)).toEqual([17])
  })

  it('hand-built options out of wire order give the same sorted answer, each number once', () => {
    const m = withOptions([65001, ''], [3, '61'], [65001, ''], [3, '62'])
    expect(unrecognizedCriticalOptions(m)).toEqual([3, 65001])
  })
})

describe('option list builders', () => {
  const o = (number: number, v: string) => ({ number, value: hex(v) })

  it('withOption replaces every occurrence and keeps ascending wire order', () => {
    const opts = [o(4, 'aa'), o(11, '61'), o(11, '62'), o(60, '01')]
    expect(withOption(opts, 11, hex('63'))).toEqual([o(4, 'aa'), o(11, '63'), o(60, '01')])
    expect(withOption(opts, 1, hex('ff'))).toEqual([o(1, 'ff'), ...opts])
    expect(withOption(opts, 258, hex(''))).toEqual([...opts, o(258, '')])
    expect(withUintOption([], Option.SIZE1, 1024)).toEqual([o(60, '04 00')])
  })

  it('withoutOptions drops every listed number; hasOption reads any holder of options', () => {
    const opts = [o(4, 'aa'), o(23, '02'), o(27, '0e'), o(60, '01')]
    expect(withoutOptions(opts, Option.BLOCK1, Option.BLOCK2)).toEqual([o(4, 'aa'), o(60, '01')])
    expect(hasOption({ options: opts }, Option.BLOCK1)).toBe(true)
    expect(hasOption({ options: opts }, Option.OBSERVE)).toBe(false)
    expect(getOption({ options: opts }, Option.ETAG)?.value).toEqual(hex('aa'))
  })
})
