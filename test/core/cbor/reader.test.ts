// SPDX-License-Identifier: Apache-2.0
import { decode as cborxDecode, encode as cborxEncode } from 'cbor-x'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { CborError, CborReader, CborSimple, CborTagged } from '../../../src-main/core/cbor/reader'
import { CborWriter } from '../../../src-main/core/cbor/writer'
import { hex, rules, toHex } from '../lwm2m/formats/senml-models'

function readAll(h: string | Uint8Array) {
  const r = new CborReader(typeof h === 'string' ? hex(h) : h)
  let value: unknown
  let error: CborError | undefined
  try {
    value = r.readAny()
    r.finish()
  } catch (e) {
    if (!(e instanceof CborError)) throw e
    error = e
  }
  return { value, error, violations: r.violations.items }
}

function ok(h: string): unknown {
  const { value, error, violations } = readAll(h)
  expect(error).toBeUndefined()
  expect(violations).toEqual([])
  return value
}

/** Writes plain JS values with CborWriter (maps as Map or object, bytes as Uint8Array). */
export function writeAny(w: CborWriter, v: unknown): void {
  if (v === null) w.null()
  else if (v === undefined) w.undefined()
  else if (typeof v === 'boolean') w.bool(v)
  else if (typeof v === 'bigint') w.int(v)
  else if (typeof v === 'number') {
    if (Number.isSafeInteger(v) && !Object.is(v, -0)) w.int(v)
    else w.float(v)
  } else if (typeof v === 'string') w.text(v)
  else if (v instanceof Uint8Array) w.bytes(v)
  else if (Array.isArray(v)) {
    w.arrayHeader(v.length)
    for (const x of v) writeAny(w, x)
  } else if (v instanceof Map) {
    w.mapHeader(v.size)
    for (const [k, x] of v) {
      writeAny(w, k)
      writeAny(w, x)
    }
  } else if (v instanceof CborTagged) {
    w.tag(v.tag)
    writeAny(w, v.value)
  } else if (typeof v === 'object') {
    const entries = Object.entries(v)
    w.mapHeader(entries.length)
    for (const [k, x] of entries) {
      w.text(k)
      writeAny(w, x)
    }
  } else throw new Error(`cannot write ${typeof v}`)
}

const m = (...pairs: [unknown, unknown][]) => new Map(pairs)

// RFC 8949 Appendix A, every example that is well-formed (decode) and preferred (re-encode).
const APPENDIX_A: [string, unknown, boolean][] = [
  ['00', 0, true], ['01', 1, true], ['0a', 10, true], ['17', 23, true], ['1818', 24, true], ['1819', 25, true],
  ['1864', 100, true], ['1903e8', 1000, true], ['1a000f4240', 1000000, true], ['1b000000e8d4a51000', 1000000000000, true],
  ['1bffffffffffffffff', 18446744073709551615n, true],
  ['c249010000000000000000', new CborTagged(2, hex('010000000000000000')), true],
  ['3bffffffffffffffff', -18446744073709551616n, true],
  ['c349010000000000000000', new CborTagged(3, hex('010000000000000000')), true],
  ['20', -1, true], ['29', -10, true], ['3863', -100, true], ['3903e7', -1000, true],
  ['f90000', 0, true], ['f98000', -0, true], ['f93c00', 1, true], ['fb3ff199999999999a', 1.1, true], ['f93e00', 1.5, true],
  ['f97bff', 65504, true], ['fa47c35000', 100000, true], ['fa7f7fffff', 3.4028234663852886e38, true],
  ['fb7e37e43c8800759c', 1.0e300, true], ['f90001', 5.960464477539063e-8, true], ['f90400', 0.00006103515625, true],
  ['f9c400', -4, true], ['fbc010666666666666', -4.1, true], ['f97c00', Infinity, true], ['f97e00', NaN, true], ['f9fc00', -Infinity, true],
  ['fa7f800000', Infinity, false], ['fa7fc00000', NaN, false], ['faff800000', -Infinity, false],
  ['fb7ff0000000000000', Infinity, false], ['fb7ff8000000000000', NaN, false], ['fbfff0000000000000', -Infinity, false],
  ['f4', false, true], ['f5', true, true], ['f6', null, true], ['f7', undefined, true],
  ['f0', new CborSimple(16), false], ['f8ff', new CborSimple(255), false],
  ['c074323031332d30332d32315432303a30343a30305a', new CborTagged(0, '2013-03-21T20:04:00Z'), true],
  ['c11a514b67b0', new CborTagged(1, 1363896240), true],
  ['c1fb41d452d9ec200000', new CborTagged(1, 1363896240.5), true],
  ['d74401020304', new CborTagged(23, hex('01020304')), true],
  ['d818456449455446', new CborTagged(24, hex('6449455446')), true],
  ['d82076687474703a2f2f7777772e6578616d706c652e636f6d', new CborTagged(32, 'http://www.example.com'), true],
  ['40', new Uint8Array(0), true], ['4401020304', hex('01020304'), true],
  ['60', '', true], ['6161', 'a', true], ['6449455446', 'IETF', true], ['62225c', '"\\', true], ['62c3bc', '\u00fc', true],
  ['63e6b0b4', '\u6c34', true], ['64f0908591', '\ud800\udd51', true],
  ['80', [], true], ['83010203', [1, 2, 3], true], ['8301820203820405', [1, [2, 3], [4, 5]], true],
  ['98190102030405060708090a0b0c0d0e0f101112131415161718181819', Array.from({ length: 25 }, (_, i) => i + 1), true],
  ['a0', m(), true], ['a201020304', m([1, 2], [3, 4]), true],
  ['a26161016162820203', m(['a', 1], ['b', [2, 3]]), true],
  ['826161a161626163', ['a', m(['b', 'c'])], true],
  ['a56161614161626142616361436164614461656145', m(['a', 'A'], ['b', 'B'], ['c', 'C'], ['d', 'D'], ['e', 'E']), true],
  ['5f42010243030405ff', hex('0102030405'), false],
  ['7f657374726561646d696e67ff', 'streaming', false],
  ['9fff', [], false],
  ['9f018202039f0405ffff', [1, [2, 3], [4, 5]], false],
  ['9f01820203820405ff', [1, [2, 3], [4, 5]], false],
  ['83018202039f0405ff', [1, [2, 3], [4, 5]], false],
  ['83019f0203ff820405', [1, [2, 3], [4, 5]], false],
  ['9f0102030405060708090a0b0c0d0e0f101112131415161718181819ff', Array.from({ length: 25 }, (_, i) => i + 1), false],
  ['bf61610161629f0203ffff', m(['a', 1], ['b', [2, 3]]), false],
  ['826161bf61626163ff', ['a', m(['b', 'c'])], false],
  ['bf6346756ef563416d7421ff', m(['Fun', true], ['Amt', -2]), false]
]

describe('CBOR reader: RFC 8949 Appendix A examples', () => {
  it.each(APPENDIX_A)('decodes %s', (h, expected) => {
    expect(ok(h)).toEqual(expected)
  })
  it.each(APPENDIX_A.filter((x) => x[2]))('writer reproduces %s (preferred serialization, §4.2)', (h, value) => {
    const w = new CborWriter(4)
    // Integral floats would be written as integers by writeAny: write float examples as floats.
    if (/^f[9ab]/.test(h)) w.float(value as number)
    else writeAny(w, value)
    expect(toHex(w.finish())).toBe(h)
  })
})

describe('CBOR reader: violations with offsets (RFC 8949 §3, §5)', () => {
  it('truncated head and truncated string point at the item', () => {
    expect(readAll('8219').violations).toMatchObject([{ rule: 'cbor.truncated', offset: 1 }])
    expect(readAll('a1006548656c').violations).toMatchObject([{ rule: 'cbor.truncated', offset: 2 }])
    expect(readAll('83 01 02').violations).toMatchObject([{ rule: 'cbor.truncated', offset: 3 }])
  })
  it('reserved additional information 28..30 is not well-formed (§3.1)', () => {
    for (const ib of ['1c', '3d', '5e', '7c', '9d', 'be', 'dc', 'fc', 'fd', 'fe']) {
      expect(readAll('82 00' + ib).violations).toMatchObject([{ rule: 'cbor.reserved-ai', offset: 2 }])
    }
  })
  it('indefinite length on integers/tags and mixed chunks are misuse (§3.2)', () => {
    expect(readAll('1f').violations).toMatchObject([{ rule: 'cbor.indefinite-misuse', offset: 0 }])
    expect(readAll('3f').violations).toMatchObject([{ rule: 'cbor.indefinite-misuse', offset: 0 }])
    expect(readAll('df00').violations).toMatchObject([{ rule: 'cbor.indefinite-misuse', offset: 0 }])
    expect(readAll('5f 41 00 61 61 ff').violations).toMatchObject([{ rule: 'cbor.indefinite-misuse', offset: 3 }])
    expect(readAll('7f 7f ff ff').violations).toMatchObject([{ rule: 'cbor.indefinite-misuse', offset: 1 }])
  })
  it('a break outside an indefinite item is refused (§3.2.1)', () => {
    expect(readAll('ff').violations).toMatchObject([{ rule: 'cbor.unexpected-break', offset: 0 }])
    expect(readAll('82 01 ff').violations).toMatchObject([{ rule: 'cbor.unexpected-break', offset: 2 }])
  })
  it('an indefinite array without break is truncated', () => {
    expect(readAll('9f 01 02').violations).toMatchObject([{ rule: 'cbor.truncated', offset: 3 }])
  })
  it('non-preferred lengths are accepted with a warning (§4.2.1)', () => {
    const r = readAll('82 1817 b9 0001 61 61 1a 00000001')
    expect(r.error).toBeUndefined()
    expect(r.value).toEqual([23, m(['a', 1])])
    expect(r.violations).toMatchObject([
      { rule: 'cbor.non-preferred', offset: 1 },
      { rule: 'cbor.non-preferred', offset: 3 },
      { rule: 'cbor.non-preferred', offset: 8 }
    ])
  })
  it('two-byte simple values below 32 are not well-formed (§3.3)', () => {
    expect(readAll('f814').violations).toMatchObject([{ rule: 'cbor.invalid-simple', offset: 0 }])
  })
  it('invalid UTF-8 in a text string is reported and replaced', () => {
    const r = readAll('82 01 62 c3 28')
    expect(r.value).toEqual([1, '\ufffd('])
    expect(r.violations).toMatchObject([{ rule: 'cbor.invalid-utf8', offset: 2 }])
  })
  it('nesting beyond the depth limit is refused (§5.2)', () => {
    const deep = '81'.repeat(65) + '00'
    expect(readAll(deep).violations).toMatchObject([{ rule: 'cbor.depth-limit', offset: 64 }])
    expect(readAll('81'.repeat(64) + '00').error).toBeUndefined()
    const r = new CborReader(hex('818100'), undefined, { maxDepth: 1 })
    expect(() => r.readAny()).toThrow(CborError)
  })
  it('trailing bytes after the item are reported (§5.1)', () => {
    const r = readAll('01 02 03')
    expect(r.value).toBe(1)
    expect(r.violations).toMatchObject([{ rule: 'cbor.trailing-bytes', offset: 1 }])
  })
  it('duplicate map keys are reported at the second key (§5.6)', () => {
    const r = readAll('a3 01 02 03 04 01 05')
    expect(r.violations).toMatchObject([{ rule: 'cbor.duplicate-key', offset: 5 }])
    expect(r.value).toEqual(m([1, 5], [3, 4]))
  })
  it('typed reads refuse the wrong major type', () => {
    const r = new CborReader(hex('6161'))
    expect(() => r.readUint()).toThrow(CborError)
    expect(rules(r.violations.items)).toEqual(['cbor.unexpected-type'])
  })
  it('64-bit integers beyond 2^53 become bigint, safe ones stay numbers', () => {
    expect(ok('1b0020000000000000')).toBe(9007199254740992n)
    expect(ok('1b001fffffffffffff')).toBe(9007199254740991)
    expect(ok('3b001ffffffffffffe')).toBe(-9007199254740991)
    expect(ok('3b001fffffffffffff')).toBe(-9007199254740992n)
  })
})

/** Values cbor-x and our reader should agree on: string-keyed maps only, no typed arrays. */
const plain = fc.letrec((tie) => ({
  value: fc.oneof(
    { maxDepth: 4 },
    fc.integer(),
    fc.maxSafeInteger(),
    fc.double(),
    fc.string({ unit: 'grapheme' }),
    fc.boolean(),
    fc.constant(null),
    fc.array(tie('value'), { maxLength: 5 }),
    fc.dictionary(fc.string({ maxLength: 6 }), tie('value'), { maxKeys: 5 })
  )
})).value

function normalize(v: unknown): unknown {
  if (v instanceof Map) return Object.fromEntries([...v].map(([k, x]) => [k, normalize(x)]))
  if (Array.isArray(v)) return v.map(normalize)
  if (v !== null && typeof v === 'object') return Object.fromEntries(Object.entries(v).map(([k, x]) => [k, normalize(x)]))
  if (typeof v === 'number' && Object.is(v, -0)) return 0
  if (typeof v === 'bigint' && v >= BigInt(Number.MIN_SAFE_INTEGER) && v <= BigInt(Number.MAX_SAFE_INTEGER)) return Number(v)
  return v
}

describe('CBOR reader and writer against cbor-x as an oracle (fast-check)', () => {
  it('reads what cbor-x writes exactly as cbor-x reads it', () => {
    fc.assert(
      fc.property(plain, (v) => {
        const bytes = cborxEncode(v)
        const r = readAll(bytes)
        expect(r.error).toBeUndefined()
        expect(r.violations.filter((x) => x.rule !== 'cbor.non-preferred')).toEqual([])
        expect(normalize(r.value)).toEqual(normalize(cborxDecode(bytes)))
      }),
      { numRuns: 2000 }
    )
  })
  it('cbor-x reads what our writer writes as the original value, and we read it back without warnings', () => {
    fc.assert(
      fc.property(plain, (v) => {
        const w = new CborWriter(8)
        writeAny(w, v)
        const bytes = w.finish()
        expect(normalize(cborxDecode(bytes))).toEqual(normalize(v))
        const r = readAll(bytes)
        expect(r.violations).toEqual([])
        expect(normalize(r.value)).toEqual(normalize(v))
      }),
      { numRuns: 2000 }
    )
  })
  it('64-bit integers and every float width round-trip through writer and reader', () => {
    fc.assert(
      fc.property(fc.bigInt({ min: -(2n ** 64n), max: 2n ** 64n - 1n }), fc.double(), (big, d) => {
        const w = new CborWriter(1)
        w.int(big)
        w.float(d)
        const r = new CborReader(w.finish())
        const n = r.readInt()
        expect(BigInt(n)).toBe(big)
        expect(Object.is(r.readFloat(), d) || (Number.isNaN(d))).toBe(true)
        expect(r.violations.length).toBe(0)
      }),
      { numRuns: 3000 }
    )
  })
})

describe('CBOR reader fuzzing', () => {
  it('random bytes: only CborError escapes, and every violation has an in-range offset', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), (bytes) => {
        const r = readAll(bytes)
        for (const v of r.violations) expect(v.offset).toBeGreaterThanOrEqual(0)
        for (const v of r.violations) expect(v.offset).toBeLessThanOrEqual(bytes.length)
        if (bytes.length === 0) expect(rules(r.violations)).toEqual(['cbor.truncated'])
        if (r.error === undefined) expect(bytes.length).toBeGreaterThan(0)
      }),
      { numRuns: 20000 }
    )
  })
  it('agrees with cbor-x on whether mutated valid items are well-formed', () => {
    fc.assert(
      fc.property(plain, fc.nat(), fc.integer({ min: 0, max: 255 }), (v, at, byte) => {
        const bytes = new Uint8Array(cborxEncode(v))
        bytes[at % bytes.length] = byte
        const ours = readAll(bytes)
        let theirs: unknown
        let theirsFailed = false
        try {
          theirs = cborxDecode(bytes)
        } catch {
          theirsFailed = true
        }
        // When we accept the bytes cleanly, cbor-x must accept them too and see the same value.
        const clean = ours.error === undefined && ours.violations.every((x) => x.rule === 'cbor.non-preferred')
        if (clean && !theirsFailed && !containsOddities(ours.value)) expect(normalize(ours.value)).toEqual(normalize(theirs))
      }),
      { numRuns: 20000 }
    )
  })
})

/** Tags, simple values, bytes and non-string map keys, which cbor-x maps to its own types. */
function containsOddities(v: unknown): boolean {
  if (v instanceof CborTagged || v instanceof CborSimple || v instanceof Uint8Array || v === undefined || typeof v === 'bigint') return true
  if (Array.isArray(v)) return v.some(containsOddities)
  if (v instanceof Map) return [...v].some(([k, x]) => typeof k !== 'string' || k.startsWith('cbor:') || containsOddities(x))
  return false
}
