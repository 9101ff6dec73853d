// SPDX-License-Identifier: Apache-2.0
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { decodeBase64, encodeBase64 } from '../../../../src-main/core/lwm2m/formats/base64'
import { formatDecimal, formatPlainDecimal } from '../../../../src-main/core/lwm2m/decimal'
import { guardedDecode } from '../../../../src-main/core/lwm2m/formats/typing'
import { encodeUtf8, readUtf8, utf8Length } from '../../../../src-main/core/lwm2m/formats/utf8'

const ascii = (s: string) => new TextEncoder().encode(s)

describe('Base64 (RFC 4648 §10 test vectors; C Tbl C-2 text opaque)', () => {
  const vectors: [string, string][] = [['', ''], ['f', 'Zg=='], ['fo', 'Zm8='], ['foo', 'Zm9v'], ['foob', 'Zm9vYg=='], ['fooba', 'Zm9vYmE='], ['foobar', 'Zm9vYmFy']]
  it('encodes and decodes the RFC vectors, padded and unpadded', () => {
    for (const [plain, b64] of vectors) {
      expect(encodeBase64(ascii(plain))).toBe(b64)
      expect(encodeBase64(ascii(plain), { pad: false })).toBe(b64.replace(/=+$/, ''))
      expect(decodeBase64(b64)).toEqual({ ok: true, bytes: ascii(plain) })
      expect(decodeBase64(b64.replace(/=+$/, ''))).toEqual({ ok: true, bytes: ascii(plain) })
    }
  })
  it('uses the url alphabet on request and reads both', () => {
    expect(encodeBase64(Uint8Array.of(0xfb, 0xff), { url: true, pad: false })).toBe('-_8')
    expect(encodeBase64(Uint8Array.of(0xfb, 0xff))).toBe('+/8=')
    expect(decodeBase64('+/8=')).toEqual(decodeBase64('-_8'))
  })
  it('refuses bad characters and bad padding with the offset', () => {
    expect(decodeBase64('Zm9v!')).toMatchObject({ ok: false, offset: 4 })
    expect(decodeBase64('Z')).toMatchObject({ ok: false })
    expect(decodeBase64('Zg===')).toMatchObject({ ok: false })
    expect(decodeBase64('Zg=')).toMatchObject({ ok: false })
  })
  it('round trips any bytes (property)', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 100 }), fc.boolean(), fc.boolean(), (b, url, pad) => {
      expect(decodeBase64(encodeBase64(b, { url, pad }))).toEqual({ ok: true, bytes: b })
    }))
  })
})

describe('UTF-8 (C App. C Tbl C-1 String)', () => {
  it('sizes and writes like TextEncoder, and refuses lone surrogates', () => {
    fc.assert(fc.property(fc.string({ unit: 'binary', maxLength: 40 }), (s) => {
      const expected = new TextEncoder().encode(s)
      expect(utf8Length(s)).toBe(expected.length)
      expect(encodeUtf8(s)).toEqual(expected)
      expect(readUtf8(expected, 0, expected.length)).toBe(s)
    }))
    expect(utf8Length('a\ud800')).toBe(-1)
    expect(utf8Length('\udc00a')).toBe(-1)
  })
  it('reports invalid UTF-8 as null and keeps a leading BOM as data', () => {
    expect(readUtf8(Uint8Array.of(0x61, 0xc3, 0x28), 0, 3)).toBeNull()
    expect(readUtf8(Uint8Array.of(0xed, 0xa0, 0x80), 0, 3)).toBeNull() // an encoded surrogate
    expect(readUtf8(Uint8Array.of(0xef, 0xbb, 0xbf, 0x61), 0, 4)).toBe('\ufeffa')
  })
})

describe('plain decimals (C Tbl C-2: 6.667e-11 is written 0.00000000006667)', () => {
  it('lays out exponents as digits', () => {
    expect(formatPlainDecimal(6.667e-11)).toBe('0.00000000006667')
    expect(formatPlainDecimal(-1.5e-7)).toBe('-0.00000015')
    expect(formatPlainDecimal(1.2345e22)).toBe('12345000000000000000000')
    expect(formatPlainDecimal(22.5)).toBe('22.5')
    expect(formatPlainDecimal(-0)).toBe('-0')
    expect(formatPlainDecimal(Number.MIN_VALUE)).toBe('0.' + '0'.repeat(323) + '5')
  })
  it('reads back as the same double, and is the attributes\' layout apart from -0', () => {
    fc.assert(fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (v) => {
      expect(Object.is(Number(formatPlainDecimal(v)), v)).toBe(true)
      expect(formatDecimal(v)).toBe(v === 0 ? '0' : formatPlainDecimal(v))
    }))
  })
})

describe('guarded decoders', () => {
  it('turn a throw into one <rules>.internal violation and pass results through', () => {
    const ok = { records: [], violations: [] }
    const fine = guardedDecode('x', 'S', () => ok)
    expect(fine(Uint8Array.of(), undefined as never)).toBe(ok)
    const broken = guardedDecode('x', 'S', () => {
      throw new Error('boom')
    })
    expect(broken(Uint8Array.of(), undefined as never)).toEqual({
      records: [],
      violations: [{ offset: 0, rule: 'x.internal', section: 'S', message: 'decoder fault: boom' }]
    })
  })
})
