// SPDX-License-Identifier: Apache-2.0
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { EncodeError, type CodecContext } from '../../../../src-main/core/lwm2m/codec'
import { textCodec } from '../../../../src-main/core/lwm2m/formats/text'
import type { Path } from '../../../../src-main/core/lwm2m/path'
import type { Lwm2mRecord } from '../../../../src-main/core/lwm2m/record'
import type { Value } from '../../../../src-main/core/lwm2m/value'
import { ALL_TYPES, MODELS } from './test-models'
import { idArb, valueArb } from './arbitraries'

const enc = new TextEncoder()
const dec = new TextDecoder()
const ctx = (path: Path, models = true): CodecContext => (models ? { path, models: MODELS } : { path })
const decode = (text: string | Uint8Array, path: Path, models = true) =>
  textCodec.decode(typeof text === 'string' ? enc.encode(text) : text, ctx(path, models))
const encode = (path: Path, value: Value, models = true) => dec.decode(textCodec.encode([{ path, value }], ctx(path, models)))
const rules = (r: { violations: { rule: string }[] }) => r.violations.map((v) => v.rule)

function expectEncodeError(f: () => unknown, rule: string): void {
  expect(f).toThrow(EncodeError)
  try {
    f()
  } catch (e) {
    expect((e as EncodeError).rule).toBe(rule)
  }
}

describe('C Tbl C-2 plain text: the examples of facts §2.6, both ways', () => {
  it('Integer -750 is "-750"', () => {
    expect(decode('-750', [3, 0, 9])).toEqual({ records: [{ path: [3, 0, 9], value: { type: 'integer', value: -750 } }], violations: [] })
    expect(encode([3, 0, 9], { type: 'integer', value: -750 })).toBe('-750')
  })
  it('Float 6.667e-11 is written "0.00000000006667" and read in either form', () => {
    expect(encode([3303, 0, 5700], { type: 'float', value: 6.667e-11 })).toBe('0.00000000006667')
    for (const t of ['0.00000000006667', '6.667e-11', '6.667E-11', '66.67e-12']) {
      expect(decode(t, [3303, 0, 5700]).records[0]?.value).toEqual({ type: 'float', value: 6.667e-11 })
    }
    expect(encode([3303, 0, 5700], { type: 'float', value: 1e21 })).toBe('1000000000000000000000')
    expect(encode([3303, 0, 5700], { type: 'float', value: -22.5 })).toBe('-22.5')
  })
  it('Boolean is "0" or "1"', () => {
    expect(encode([1, 0, 6], { type: 'boolean', value: true })).toBe('1')
    expect(decode('0', [1, 0, 6]).records[0]?.value).toEqual({ type: 'boolean', value: false })
  })
  it('Opaque 01 02 03 04 05 is standard Base64 with padding "AQIDBAU="', () => {
    const bytes = Uint8Array.of(1, 2, 3, 4, 5)
    expect(encode([9000, 0, 15], { type: 'opaque', value: bytes })).toBe('AQIDBAU=')
    expect(decode('AQIDBAU=', [9000, 0, 15])).toEqual({ records: [{ path: [9000, 0, 15], value: { type: 'opaque', value: bytes } }], violations: [] })
  })
  it('accepts Base64 without padding and the url alphabet silently (facts §7)', () => {
    expect(decode('AQIDBAU', [9000, 0, 15])).toEqual({ records: [{ path: [9000, 0, 15], value: { type: 'opaque', value: Uint8Array.of(1, 2, 3, 4, 5) } }], violations: [] })
    expect(decode('-_8', [9000, 0, 15]).records[0]?.value).toEqual({ type: 'opaque', value: Uint8Array.of(0xfb, 0xff) })
  })
  it('Objlnk is "OID:IID"', () => {
    expect(encode([66, 0, 0], { type: 'objlnk', value: { objectId: 66, instanceId: 0 } })).toBe('66:0')
    expect(decode('65535:65535', [66, 0, 0]).records[0]?.value).toEqual({ type: 'objlnk', value: { objectId: 65535, instanceId: 65535 } })
  })
})

describe('C Tbl C-2 plain text decoding: typed by the model, violations otherwise', () => {
  it('without a model the value is a string', () => {
    expect(decode('3600', [1, 0, 1], false).records[0]?.value).toEqual({ type: 'string', value: '3600' })
  })
  it('resource instances are typed by their resource', () => {
    expect(decode('5', [3, 0, 6, 1])).toEqual({ records: [{ path: [3, 0, 6, 1], value: { type: 'integer', value: 5 } }], violations: [] })
  })
  it('64-bit integers become bigint beyond 2^53', () => {
    expect(decode('-9223372036854775808', [3, 0, 13]).records[0]?.value).toEqual({ type: 'time', value: -(1n << 63n) })
    expect(decode('18446744073709551615', [9000, 0, 12]).records[0]?.value).toEqual({ type: 'unsigned', value: (1n << 64n) - 1n })
  })
  it('non-numeric or out-of-range numbers are violations and stay strings', () => {
    for (const [text, path] of [
      ['12a', [1, 0, 1]], ['', [1, 0, 1]], ['1.5', [1, 0, 1]], ['9223372036854775808', [1, 0, 1]], ['1'.repeat(100), [1, 0, 1]],
      ['-1', [9000, 0, 12]], ['18446744073709551616', [9000, 0, 12]],
      ['abc', [3303, 0, 5700]], ['1e999', [3303, 0, 5700]], ['NaN', [3303, 0, 5700]],
      ['true', [1, 0, 6]], ['2', [1, 0, 6]],
      ['66-0', [66, 0, 0]], ['A', [9000, 0, 15]], ['AQ=?', [9000, 0, 15]], ['AQI==', [9000, 0, 15]]
    ] as [string, Path][]) {
      const r = decode(text, path)
      expect(rules(r), text).toEqual(['text.value-type'])
      expect(r.records[0]?.value, text).toEqual({ type: 'string', value: text })
    }
  })
  it('an out-of-range objlnk, an unknown resource, an instance of a single resource, bad UTF-8 are violations', () => {
    expect(rules(decode('65535:0', [66, 0, 0]))).toEqual(['text.objlnk-range'])
    expect(rules(decode('x', [1, 0, 99]))).toEqual(['text.unknown-resource'])
    expect(rules(decode('1', [1, 0, 1, 0]))).toEqual(['text.multiple-mismatch'])
    expect(rules(decode(Uint8Array.of(0xc3, 0x28), [3, 0, 0]))).toEqual(['text.utf8'])
  })
  it('needs a resource or resource-instance path', () => {
    expect(rules(decode('1', [1, 0]))).toEqual(['text.path'])
    expect(rules(textCodec.decode(enc.encode('1'), {}))).toEqual(['text.path'])
  })
  it('Execute arguments on an executable resource are text, not a value (facts §1: Execute arguments are text/plain)', () => {
    expect(decode('', [1, 0, 8]).records[0]?.value).toEqual({ type: 'none', value: null })
    expect(decode("0='U'", [1, 0, 8]).records[0]?.value).toEqual({ type: 'string', value: "0='U'" })
  })
})

describe('C Tbl C-2 plain text encoding', () => {
  it('refuses several records, a wrong type, a non-finite float and a path that is not the request path', () => {
    const one: Lwm2mRecord = { path: [1, 0, 1], value: { type: 'integer', value: 1 } }
    expectEncodeError(() => textCodec.encode([one, one], ctx([1, 0, 1])), 'text.count')
    expectEncodeError(() => encode([1, 0, 1], { type: 'string', value: '1' }), 'text.type-mismatch')
    expectEncodeError(() => encode([3303, 0, 5700], { type: 'float', value: Infinity }), 'text.value')
    expectEncodeError(() => textCodec.encode([one], ctx([1, 0, 7])), 'text.outside-path')
    expectEncodeError(() => encode([1, 0], { type: 'integer', value: 1 }), 'text.path')
    expectEncodeError(() => encode([3, 0, 0], { type: 'string', value: 'a\udc00' }), 'text.value')
    expectEncodeError(() => encode([1, 0, 1, 0], { type: 'integer', value: 1 }), 'text.multiple')
  })
  it('writes the value without a model by its own type', () => {
    expect(encode([1, 0, 1], { type: 'unsigned', value: 18446744073709551615n }, false)).toBe('18446744073709551615')
    expect(encode([1, 0, 1], { type: 'float', value: -0 }, false)).toBe('-0')
  })
})

describe('C Tbl C-2 plain text properties', () => {
  const resources = ALL_TYPES.resources.filter((r) => r.type !== 'none')
  it('decode(encode(x)) == x for every type, single and multiple (floats finite)', () => {
    fc.assert(
      fc.property(fc.constantFrom(...resources), idArb, fc.integer(), (rm, ri, seed) => {
        let value = fc.sample(valueArb(rm.type), { numRuns: 1, seed })[0]!
        if (value.type === 'float' && !Number.isFinite(value.value)) value = { type: 'float', value: seed / 7 }
        const path: Path = rm.multiple ? [9000, 3, rm.id, ri] : [9000, 3, rm.id]
        const bytes = textCodec.encode([{ path, value }], ctx(path))
        expect(textCodec.decode(bytes, ctx(path))).toEqual({ records: [{ path, value }], violations: [] })
        expect(textCodec.encode([{ path, value }], ctx(path))).toEqual(bytes)
      }),
      { numRuns: 2000 }
    )
  })
  it('every finite double survives as a plain decimal without exponent', () => {
    fc.assert(
      fc.property(fc.double({ noNaN: true, noDefaultInfinity: true }), (x) => {
        const text = encode([3303, 0, 5700], { type: 'float', value: x })
        expect(text).not.toMatch(/[eE]/)
        expect(Object.is(Number(text), x)).toBe(true)
      }),
      { numRuns: 5000 }
    )
  })
  it('strings of 7/8, 255/256, 65535/65536 bytes survive', () => {
    for (const n of [7, 8, 255, 256, 65535, 65536]) {
      const value: Value = { type: 'string', value: 'ü'.repeat(n >> 1) + 'x'.repeat(n & 1) }
      expect(decode(textCodec.encode([{ path: [3, 0, 0], value }], ctx([3, 0, 0])), [3, 0, 0]).records[0]?.value).toEqual(value)
    }
  })
})

describe('C Tbl C-2 plain text decoder fuzz: never throws', () => {
  const paths: Path[] = [[1, 0, 1], [1, 0, 6], [3303, 0, 5700], [9000, 0, 12], [9000, 0, 15], [66, 0, 0], [3, 0, 0], [1, 0, 8]]
  it('random bytes and random strings (20k cases each)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 40 }), fc.constantFrom(...paths), (bytes, path) => {
        const r = textCodec.decode(bytes, ctx(path))
        expect(r.records).toHaveLength(1)
        expect(rules(r)).not.toContain('text.internal')
      }),
      { numRuns: 20000 }
    )
    fc.assert(
      fc.property(fc.string({ unit: fc.constantFrom(...'0123456789-+.eE:=AQ/_ xü'), maxLength: 30 }), fc.constantFrom(...paths), (s, path) => {
        const r = decode(s, path)
        expect(r.records).toHaveLength(1)
        expect(rules(r)).not.toContain('text.internal')
      }),
      { numRuns: 20000 }
    )
  })
})
