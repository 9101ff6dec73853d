// SPDX-License-Identifier: Apache-2.0
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { CborReader } from '../../../src-main/core/cbor/reader'
import { CborWriter } from '../../../src-main/core/cbor/writer'
import { toHex } from '../lwm2m/formats/senml-models'

function hexOf(fn: (w: CborWriter) => void): string {
  const w = new CborWriter(1)
  fn(w)
  return toHex(w.finish())
}

describe('CBOR writer: preferred serialization (RFC 8949 §4.2.1, §4.2.2)', () => {
  it('uses the shortest argument at every width boundary', () => {
    const cases: [number | bigint, string][] = [
      [23, '17'], [24, '1818'], [255, '18ff'], [256, '190100'], [65535, '19ffff'], [65536, '1a00010000'],
      [4294967295, '1affffffff'], [4294967296, '1b0000000100000000'], [-24, '37'], [-25, '3818'], [-256, '38ff'],
      [-257, '390100'], [2n ** 64n - 1n, '1bffffffffffffffff'], [-(2n ** 64n), '3bffffffffffffffff'], [10n, '0a']
    ]
    for (const [n, h] of cases) expect(hexOf((w) => w.int(n))).toBe(h)
  })
  it('refuses integers that do not fit 64 bits and non-integers', () => {
    expect(() => hexOf((w) => w.int(2n ** 64n))).toThrow(RangeError)
    expect(() => hexOf((w) => w.int(1.5))).toThrow(RangeError)
  })
  it('picks float16 for values it holds exactly, including subnormals, else float32, else float64', () => {
    expect(hexOf((w) => w.float(22.5))).toBe('f94da0')
    expect(hexOf((w) => w.float(2 ** -24))).toBe('f90001')
    expect(hexOf((w) => w.float(2 ** -20))).toBe('f90010')
    expect(hexOf((w) => w.float(2 ** -25))).toBe('fa33000000')
    expect(hexOf((w) => w.float(65536))).toBe('fa47800000')
    expect(hexOf((w) => w.float(0.1))).toBe('fb3fb999999999999a')
    expect(hexOf((w) => w.float(-0))).toBe('f98000')
    expect(hexOf((w) => w.float(NaN))).toBe('f97e00')
  })
  it('encodes non-ASCII text as UTF-8 and grows its buffer past the initial size', () => {
    expect(hexOf((w) => w.text('ü水'))).toBe('65c3bce6b0b4')
    const long = 'x'.repeat(70000)
    const w = new CborWriter(2)
    w.text(long)
    const out = w.finish()
    expect(toHex(out.subarray(0, 5))).toBe('7a00011170')
    expect(new CborReader(out).readText()).toBe(long)
  })
  it('round-trips any string and any double through the reader', () => {
    fc.assert(
      fc.property(fc.string({ unit: 'binary' }), fc.double(), (s, d) => {
        const w = new CborWriter(1)
        w.text(s)
        w.float(d)
        const r = new CborReader(w.finish())
        // Lone surrogates cannot be UTF-8: TextEncoder writes U+FFFD for them.
        expect(r.readText()).toBe(new TextDecoder('utf-8', { ignoreBOM: true }).decode(new TextEncoder().encode(s)))
        const back = r.readFloat()
        expect(Number.isNaN(d) ? Number.isNaN(back) : Object.is(back, d)).toBe(true)
        expect(r.violations.length).toBe(0)
      }),
      { numRuns: 3000 }
    )
  })
})
