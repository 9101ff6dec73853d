// SPDX-License-Identifier: Apache-2.0
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { EncodeError, type CodecContext } from '../../../../src-main/core/lwm2m/codec'
import { tlvCodec } from '../../../../src-main/core/lwm2m/formats/tlv'
import type { Path } from '../../../../src-main/core/lwm2m/path'
import type { Lwm2mRecord } from '../../../../src-main/core/lwm2m/record'
import { ALL_TYPES, hex, MODELS, toHex } from './test-models'
import { instanceRecordsArb, recordsArb, sortRecords, valueArb } from './arbitraries'

const ctx = (path: Path): CodecContext => ({ path, models: MODELS })
const decode = (h: string | Uint8Array, path: Path, models = true) =>
  tlvCodec.decode(typeof h === 'string' ? hex(h) : h, models ? ctx(path) : { path })
const encode = (records: Lwm2mRecord[], path: Path, models = true) =>
  toHex(tlvCodec.encode(records, models ? ctx(path) : { path }))
const rules = (r: { violations: { rule: string }[] }) => r.violations.map((v) => v.rule)

function expectEncodeError(f: () => unknown, rule: string): void {
  try {
    f()
  } catch (e) {
    expect(e).toBeInstanceOf(EncodeError)
    expect((e as EncodeError).rule).toBe(rule)
    return
  }
  throw new Error(`expected EncodeError ${rule}`)
}

describe('C §7.5.5 TLV: the byte examples of facts §2.2, both ways', () => {
  it('/1/0/1 = 3600 is C2 01 0E 10', () => {
    const r = decode('C2 01 0E 10', [1, 0, 1])
    expect(r).toEqual({ records: [{ path: [1, 0, 1], value: { type: 'integer', value: 3600 } }], violations: [] })
    expect(encode(r.records, [1, 0, 1])).toBe('C2 01 0E 10')
  })
  it('/1/0/7 = "U" is C1 07 55', () => {
    const r = decode('C1 07 55', [1, 0, 7])
    expect(r).toEqual({ records: [{ path: [1, 0, 7], value: { type: 'string', value: 'U' } }], violations: [] })
    expect(encode(r.records, [1, 0, 7])).toBe('C1 07 55')
  })
  it('/3/0/6 = {0:1, 1:5} is a Multiple Resource TLV 86 06 41 00 01 41 01 05', () => {
    const records = [
      { path: [3, 0, 6, 0] as Path, value: { type: 'integer' as const, value: 1 } },
      { path: [3, 0, 6, 1] as Path, value: { type: 'integer' as const, value: 5 } }
    ]
    expect(decode('86 06 41 00 01 41 01 05', [3, 0, 6])).toEqual({ records, violations: [] })
    expect(encode(records, [3, 0, 6])).toBe('86 06 41 00 01 41 01 05')
    // The same resource read at instance level is the same TLV.
    expect(encode(records, [3, 0])).toBe('86 06 41 00 01 41 01 05')
  })
  it('an OI wrapper for /1 holds instance 0: 07 00 C2 01 0E 10 C1 07 55 (and the 8-bit length form)', () => {
    const records = [
      { path: [1, 0, 1] as Path, value: { type: 'integer' as const, value: 3600 } },
      { path: [1, 0, 7] as Path, value: { type: 'string' as const, value: 'U' } }
    ]
    expect(decode('07 00 C2 01 0E 10 C1 07 55', [1])).toEqual({ records, violations: [] })
    expect(decode('08 00 07 C2 01 0E 10 C1 07 55', [1])).toEqual({ records, violations: [] })
    expect(encode(records, [1])).toBe('07 00 C2 01 0E 10 C1 07 55')
    // At /1/0 the same records are written without the wrapper.
    expect(encode(records, [1, 0])).toBe('C2 01 0E 10 C1 07 55')
  })
  it('/3303/0/5700 = 22.5 is a 16-bit id float32: E4 16 44 41 B4 00 00', () => {
    const r = decode('E4 16 44 41 B4 00 00', [3303, 0, 5700])
    expect(r).toEqual({ records: [{ path: [3303, 0, 5700], value: { type: 'float', value: 22.5 } }], violations: [] })
    expect(encode(r.records, [3303, 0, 5700])).toBe('E4 16 44 41 B4 00 00')
  })
  it('objlnk 66:0 in resource 0 is C4 00 00 42 00 00', () => {
    const r = decode('C4 00 00 42 00 00', [66, 0, 0])
    expect(r).toEqual({
      records: [{ path: [66, 0, 0], value: { type: 'objlnk', value: { objectId: 66, instanceId: 0 } } }],
      violations: []
    })
    expect(encode(r.records, [66, 0, 0])).toBe('C4 00 00 42 00 00')
  })
  it('a 300-byte value in resource 0 has the header D0 00 01 2C', () => {
    const s = 'x'.repeat(300)
    const bytes = tlvCodec.encode([{ path: [3, 0, 0], value: { type: 'string', value: s } }], ctx([3, 0, 0]))
    expect(toHex(bytes.subarray(0, 4))).toBe('D0 00 01 2C')
    expect(bytes.length).toBe(304)
    expect(decode(bytes, [3, 0, 0]).records).toEqual([{ path: [3, 0, 0], value: { type: 'string', value: s } }])
  })
})

describe('C §7.5.5 TLV decoding: levels, types and strict violations', () => {
  it('types every value by the model, and reports opaque without one', () => {
    expect(decode('C2 01 0E 10', [1, 0, 1], false).records[0]?.value).toEqual({ type: 'opaque', value: hex('0E 10') })
    // 8-byte integers beyond 2^53 become bigint; signed and unsigned differ.
    const big = decode('C8 0B 08 FF FF FF FF FF FF FF FE', [9000, 0, 11]).records[0]?.value
    expect(big).toEqual({ type: 'integer', value: -2 })
    const ubig = decode('C8 0C 08 FF FF FF FF FF FF FF FE', [9000, 0, 12]).records[0]?.value
    expect(ubig).toEqual({ type: 'unsigned', value: 0xfffffffffffffffen })
    expect(decode('C1 0E 01', [9000, 0, 14]).records[0]?.value).toEqual({ type: 'boolean', value: true })
    expect(decode('C2 10 FF 38', [9000, 0, 16]).records[0]?.value).toEqual({ type: 'time', value: -200 })
    expect(decode('C0 63', [9000, 0, 99])).toEqual({ records: [{ path: [9000, 0, 99], value: { type: 'none', value: null } }], violations: [] })
  })
  it('a length that does not fit the type is a violation and the value stays opaque', () => {
    const r = decode('C3 01 00 0E 10', [1, 0, 1])
    expect(rules(r)).toEqual(['tlv.value-type'])
    expect(r.violations[0]?.offset).toBe(2)
    expect(r.records[0]?.value).toEqual({ type: 'opaque', value: hex('00 0E 10') })
    expect(rules(decode('C1 06 02', [1, 0, 6]))).toEqual(['tlv.value-type'])
    expect(rules(decode('C3 0D 00 00 01', [3, 0, 13]))).toEqual(['tlv.value-type'])
    expect(rules(decode('C2 11 00 01', [9000, 0, 17]))).toEqual(['tlv.value-type']) // objlnk of 2 bytes
  })
  it('invalid UTF-8 in a string is a violation', () => {
    const r = decode('C2 00 C3 28', [3, 0, 0])
    expect(rules(r)).toEqual(['tlv.value-type'])
    expect(r.records[0]?.value?.type).toBe('opaque')
  })
  it('an objlnk out of range is a violation (65535 only as the null link)', () => {
    expect(rules(decode('C4 00 FF FF 00 01', [66, 0, 0]))).toEqual(['tlv.objlnk-range'])
    expect(rules(decode('C4 00 FF FF FF FF', [66, 0, 0]))).toEqual([])
  })
  it('a length overrunning the buffer or its container is a violation with the offset', () => {
    const r = decode('C2 01 0E', [1, 0, 1])
    expect(r.records).toEqual([])
    expect(r.violations).toMatchObject([{ rule: 'tlv.length-overrun', offset: 0 }])
    const nested = decode('03 00 C2 01 0E 10', [1])
    // The instance's inner TLV overruns at 2; the byte left after the instance cannot be a header.
    expect(nested.violations).toMatchObject([{ rule: 'tlv.length-overrun', offset: 2 }, { rule: 'tlv.length-overrun', offset: 5 }])
    expect(rules(decode('C8', [1, 0, 1]))).toEqual(['tlv.length-overrun'])
    expect(rules(decode('F8 01', [1, 0, 1]))).toEqual(['tlv.length-overrun'])
  })
  it('a TLV kind not allowed at its level is a violation', () => {
    // A Resource Instance TLV at the top of a /3 payload.
    expect(rules(decode('41 00 01', [3]))).toEqual(['tlv.kind-not-allowed'])
    // A resource TLV inside a Multiple Resource TLV.
    expect(rules(decode('83 06 C1 00 01', [3, 0, 6]))).toEqual(['tlv.kind-not-allowed'])
    // A Resource Instance TLV directly inside an instance.
    expect(rules(decode('41 00 01', [3, 0]))).toEqual(['tlv.kind-not-allowed'])
  })
  it('instance nesting deeper than 3 is a violation', () => {
    const r = decode('06 00 84 06 02 00 41 00', [3])
    expect(r.violations).toMatchObject([{ rule: 'tlv.nesting-depth', offset: 4 }])
  })
  it('a 16-bit identifier for an 8-bit id and the reserved id 65535 are violations', () => {
    const r = decode('E1 00 07 55', [1, 0, 7])
    expect(rules(r)).toEqual(['tlv.id-width'])
    expect(r.records).toEqual([{ path: [1, 0, 7], value: { type: 'string', value: 'U' } }])
    expect(rules(decode('20 FF FF', [1]))).toEqual(['tlv.id-reserved'])
  })
  it('trailing bytes after the single TLV of a resource path are a violation', () => {
    const r = decode('C1 07 55 00', [1, 0, 7])
    expect(r.violations).toMatchObject([{ rule: 'tlv.trailing-bytes', offset: 3 }])
    expect(r.records).toHaveLength(1)
  })
  it('an empty payload where a value is required is a violation; empty /O is zero instances', () => {
    expect(rules(decode('', [1, 0, 1]))).toEqual(['tlv.empty'])
    expect(rules(decode('', [3, 0, 6, 1]))).toEqual(['tlv.empty'])
    expect(decode('', [1])).toEqual({ records: [], violations: [] })
  })
  it('duplicate ids are violations at every level', () => {
    expect(rules(decode('03 00 C1 00 01 03 00 C1 00 02', [1]))).toEqual(['tlv.duplicate-id'])
    expect(rules(decode('C1 07 55 C1 07 55', [1, 0]))).toEqual(['tlv.duplicate-id'])
    expect(rules(decode('86 06 41 00 01 41 00 05', [3, 0, 6]))).toEqual(['tlv.duplicate-id'])
    // Out-of-order ids are legal; a duplicate after them is still caught.
    expect(rules(decode('C1 07 55 C1 00 01 C1 07 55', [1, 0]))).toEqual(['tlv.duplicate-id'])
    expect(rules(decode('C1 07 55 C1 00 01 C1 06 01', [1, 0]))).toEqual([])
  })
  it('single/multiple mismatches with the model, unknown resources and id mismatches are violations', () => {
    expect(rules(decode('C1 06 01', [3, 0, 6]))).toEqual(['tlv.multiple-mismatch'])
    expect(rules(decode('83 07 41 00 55', [1, 0, 7]))).toEqual(['tlv.multiple-mismatch'])
    expect(rules(decode('C1 63 01', [1, 0, 99]))).toEqual(['tlv.unknown-resource'])
    expect(rules(decode('C1 07 55', [1, 0, 8]))).toEqual(['tlv.id-mismatch'])
    expect(rules(decode('41 00 01', [1, 0, 1, 0]))).toEqual(['tlv.multiple-mismatch'])
    // A broken OI wrapper at /O/I is reported once.
    expect(rules(decode('05 00 C1 07 55', [1, 0]))).toEqual(['tlv.length-overrun'])
  })
  it('empty Object Instance and Multiple Resource TLVs decode to path-only records', () => {
    expect(decode('00 05', [3303]).records).toEqual([{ path: [3303, 5] }])
    expect(decode('80 06', [3, 0]).records).toEqual([{ path: [3, 0, 6] }])
  })
  it('keeps resource TLVs without an OI wrapper at /O as instance 65535 (Create without id, facts §2.5)', () => {
    const r = decode('C2 01 0E 10 C1 07 55', [1])
    expect(r.violations).toMatchObject([{ rule: 'tlv.kind-not-allowed', offset: 0 }])
    expect(r.records).toEqual([
      { path: [1, 65535, 1], value: { type: 'integer', value: 3600 } },
      { path: [1, 65535, 7], value: { type: 'string', value: 'U' } }
    ])
  })
  it('tolerates the other reading: an OI wrapper at /O/I, bare RI TLVs at /O/I/R (C §7.5.5, facts §7)', () => {
    const wrapped = decode('03 00 C1 07 55', [1, 0])
    expect(wrapped.records).toEqual([{ path: [1, 0, 7], value: { type: 'string', value: 'U' } }])
    expect(rules(wrapped)).toEqual(['tlv.kind-not-allowed'])
    const bare = decode('41 00 01 41 01 05', [3, 0, 6])
    expect(bare.records.map((r) => r.path)).toEqual([[3, 0, 6, 0], [3, 0, 6, 1]])
    expect(rules(bare)).toEqual(['tlv.kind-not-allowed'])
    expect(decode('41 01 05', [3, 0, 6, 1]).records).toEqual([{ path: [3, 0, 6, 1], value: { type: 'integer', value: 5 } }])
  })
  it('reads from a view into a larger buffer (byteOffset ≠ 0, as Node Buffers are)', () => {
    const big = hex('FF FF FF E4 16 44 41 B4 00 00 C8 0B 08 FF FF FF FF FF FF FF FE EE')
    expect(decode(big.subarray(3, 10), [3303, 0, 5700]).records[0]?.value).toEqual({ type: 'float', value: 22.5 })
    expect(decode(big.subarray(10, 21), [9000, 0, 11]).records[0]?.value).toEqual({ type: 'integer', value: -2 })
  })
  it('cites C §7.5.5 in every violation', () => {
    const r = decode('C3 01 00 0E 10 C1 07 55 C1 07 55 86', [1, 0])
    expect(r.violations.length).toBeGreaterThan(2)
    expect(new Set(r.violations.map((v) => v.section))).toEqual(new Set(['LwM2M 1.2 Core §7.5.5']))
  })
  it('without a path nothing can be named: a violation, no records', () => {
    expect(rules(tlvCodec.decode(hex('C1 07 55'), {}))).toEqual(['tlv.path-required'])
  })
})

describe('C §7.5.5 TLV encoding: minimal, deterministic, refuses what the model forbids', () => {
  const rec = (path: Path, value: Lwm2mRecord['value']): Lwm2mRecord => ({ path, value })
  it('integers take the smallest of 1, 2, 4, 8 bytes; unsigned likewise', () => {
    const size = (v: number | bigint, type: 'integer' | 'unsigned' = 'integer') => {
      const b = tlvCodec.encode([rec([9000, 0, type === 'integer' ? 11 : 12], { type, value: v } as never)], ctx([9000, 0]))
      return b[0]! & 0x18 ? b[2]! : b[0]! & 7
    }
    expect([127, 128, -128, -129, 32767, 32768, -2147483648, 2147483648].map((v) => size(v))).toEqual([1, 2, 1, 2, 2, 4, 4, 8])
    expect(size(-(1n << 63n))).toBe(8)
    expect([255, 256, 65535, 65536, 4294967295, 4294967296].map((v) => size(v, 'unsigned'))).toEqual([1, 2, 2, 4, 4, 8])
    expect(size((1n << 64n) - 1n, 'unsigned')).toBe(8)
  })
  it('floats are 4 bytes when float32 holds them exactly, else 8', () => {
    expect(encode([rec([3303, 0, 5700], { type: 'float', value: 22.5 })], [3303, 0, 5700])).toBe('E4 16 44 41 B4 00 00')
    expect(encode([rec([3303, 0, 5700], { type: 'float', value: 0.1 })], [3303, 0, 5700])).toBe('E8 16 44 08 3F B9 99 99 99 99 99 9A')
  })
  it('uses 16-bit ids and 8/16/24-bit length fields only when needed', () => {
    const len = (n: number) => toHex(tlvCodec.encode([rec([9000, 0, 15], { type: 'opaque', value: new Uint8Array(n) })], ctx([9000, 0, 15])).subarray(0, 5))
    expect(len(7).startsWith('C7 0F')).toBe(true)
    expect(len(8).startsWith('C8 0F 08')).toBe(true)
    expect(len(256).startsWith('D0 0F 01 00')).toBe(true)
    expect(len(65536)).toBe('D8 0F 01 00 00')
    expect(encode([rec([9000, 0, 300, 256], { type: 'string', value: 'a' })], [9000, 0])).toBe('A4 01 2C 61 01 00 61')
  })
  it('sorts records so that the bytes do not depend on their order', () => {
    const a = rec([1, 0, 1], { type: 'integer', value: 3600 })
    const b = rec([1, 0, 7], { type: 'string', value: 'U' })
    expect(encode([b, a], [1])).toBe(encode([a, b], [1]))
  })
  it('writes an MR TLV for a multiple resource even with one or zero instances', () => {
    expect(encode([rec([3, 0, 6, 0], { type: 'integer', value: 1 })], [3, 0, 6])).toBe('83 06 41 00 01')
    expect(encode([], [3, 0, 6])).toBe('80 06')
    expect(encode([{ path: [3, 0, 6] }], [3, 0])).toBe('80 06')
    // Without a model, resource-instance ids make a multiple resource.
    expect(encode([rec([3, 0, 6, 0], { type: 'integer', value: 1 })], [3, 0], false)).toBe('83 06 41 00 01')
  })
  it('refuses values the model forbids', () => {
    expectEncodeError(() => encode([rec([1, 0, 1], { type: 'string', value: '1' })], [1, 0, 1]), 'tlv.type-mismatch')
    expectEncodeError(() => encode([rec([1, 0, 1], { type: 'opaque', value: new Uint8Array(2) })], [1, 0, 1]), 'tlv.type-mismatch')
    expectEncodeError(() => encode([rec([66, 0, 0], { type: 'objlnk', value: { objectId: 65535, instanceId: 0 } })], [66, 0, 0]), 'tlv.value')
    expectEncodeError(() => encode([rec([1, 0, 99], { type: 'integer', value: 1 })], [1, 0]), 'tlv.unknown-resource')
    expectEncodeError(() => encode([rec([1, 0, 1], { type: 'integer', value: 1.5 })], [1, 0]), 'tlv.value')
    expectEncodeError(() => encode([rec([9000, 0, 12], { type: 'unsigned', value: -1 })], [9000, 0]), 'tlv.value')
    expectEncodeError(() => encode([rec([3, 0, 6], { type: 'integer', value: 1 })], [3, 0]), 'tlv.multiple')
    expectEncodeError(() => encode([rec([1, 0, 1, 0], { type: 'integer', value: 1 })], [1, 0]), 'tlv.multiple')
    expectEncodeError(() => encode([rec([3, 0, 0], { type: 'string', value: '\ud800' })], [3, 0]), 'tlv.value')
    expectEncodeError(() => encode([rec([1, 0, 1], { type: 'integer', value: 1 }), rec([1, 0, 1], { type: 'integer', value: 2 })], [1, 0]), 'tlv.duplicate-path')
    expectEncodeError(() => encode([rec([1, 0, 1], { type: 'integer', value: 1 })], [3, 0]), 'tlv.outside-path')
    expectEncodeError(() => encode([rec([1, 0, 1], { type: 'integer', value: 1 })], []), 'tlv.path-required')
    expectEncodeError(() => encode([], [1, 0, 1]), 'tlv.empty')
    expectEncodeError(() => encode([rec([9000, 0, 15], { type: 'opaque', value: new Uint8Array(0x1000000) })], [9000, 0, 15]), 'tlv.too-long')
    // Without a model, anything well-formed goes.
    expect(encode([rec([1, 0, 99], { type: 'integer', value: 1 })], [1, 0], false)).toBe('C1 63 01')
  })
})

describe('C §7.5.5 TLV properties', () => {
  it('decode(encode(records)) == records at object level (every type, 8/16-bit ids)', () => {
    fc.assert(
      fc.property(recordsArb, (records) => {
        const bytes = tlvCodec.encode(records, ctx([9000]))
        const back = tlvCodec.decode(bytes, ctx([9000]))
        expect(back.violations).toEqual([])
        expect(back.records).toEqual(sortRecords(records))
        // Deterministic: the same input, shuffled, gives the same bytes.
        expect(tlvCodec.encode([...records].reverse(), ctx([9000]))).toEqual(bytes)
      }),
      { numRuns: 300 }
    )
  })
  it('decode(encode(records)) == records at instance and resource level', () => {
    fc.assert(
      fc.property(instanceRecordsArb(7), (records) => {
        const back = tlvCodec.decode(tlvCodec.encode(records, ctx([9000, 7])), ctx([9000, 7]))
        expect(back).toEqual({ records: sortRecords(records), violations: [] })
        for (const rid of new Set(records.map((r) => r.path[2] as number))) {
          const one = records.filter((r) => r.path[2] === rid)
          const path: Path = [9000, 7, rid]
          expect(tlvCodec.decode(tlvCodec.encode(one, ctx(path)), ctx(path))).toEqual({ records: sortRecords(one), violations: [] })
        }
      }),
      { numRuns: 300 }
    )
  })
  it('round trips values of lengths around 7/8, 255/256, 65535/65536 bytes', () => {
    const lengths = [7, 8, 255, 256, 65535, 65536]
    fc.assert(
      fc.property(fc.constantFrom(...lengths), fc.constantFrom('string', 'opaque'), fc.boolean(), (n, type, multiple) => {
        const rid = (multiple ? 300 : 10) + (type === 'string' ? 0 : 5)
        const value = type === 'string' ? { type, value: 'é'.repeat(n >> 1) + 'a'.repeat(n & 1) } : { type, value: new Uint8Array(n).fill(n & 0xff) }
        const path: Path = multiple ? [9000, 1, rid, 256] : [9000, 1, rid]
        const records = [{ path, value } as Lwm2mRecord]
        const back = tlvCodec.decode(tlvCodec.encode(records, ctx([9000])), ctx([9000]))
        expect(back).toEqual({ records, violations: [] })
      }),
      { numRuns: 40 }
    )
  })
  it('each value type survives alone at a resource-instance path', () => {
    fc.assert(
      fc.property(fc.integer({ min: 0, max: 8 }), fc.integer({ min: 0, max: 65534 }), (n, ri) => {
        const rm = ALL_TYPES.resources.find((r) => r.id === 300 + n)!
        const v = fc.sample(valueArb(rm.type), { numRuns: 1, seed: ri })[0]!
        const path: Path = [9000, 0, rm.id, ri]
        const records = [{ path, value: v }]
        expect(tlvCodec.decode(tlvCodec.encode(records, ctx(path)), ctx(path))).toEqual({ records, violations: [] })
      }),
      { numRuns: 200 }
    )
  })
})

describe('C §7.5.5 TLV decoder fuzz: never throws (a hang would hit the test timeout)', () => {
  const paths: Path[] = [[9000], [9000, 1], [9000, 1, 300], [9000, 1, 10], [9000, 1, 300, 2], [3], [1, 0]]
  it('random bytes (20k cases)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.constantFrom(...paths), fc.boolean(), (bytes, path, models) => {
        const r = tlvCodec.decode(bytes, models ? ctx(path) : { path })
        expect(Array.isArray(r.records)).toBe(true)
        expect(r.violations.every((v) => v.offset >= 0 && v.offset <= bytes.length)).toBe(true)
        expect(r.violations.some((v) => v.rule === 'tlv.internal')).toBe(false)
      }),
      { numRuns: 20000 }
    )
  })
  it('mutated valid payloads (20k cases)', () => {
    const valid = fc.sample(recordsArb, { numRuns: 50, seed: 42 }).map((r) => tlvCodec.encode(r, ctx([9000])))
    const mutation = fc.tuple(fc.integer({ min: 0, max: 49 }), fc.array(fc.tuple(fc.nat(), fc.integer({ min: 0, max: 255 }), fc.constantFrom('set', 'cut', 'insert')), { minLength: 1, maxLength: 4 }))
    fc.assert(
      fc.property(mutation, ([which, edits]) => {
        let b = Uint8Array.from(valid[which]!)
        for (const [pos, byte, op] of edits) {
          const at = b.length === 0 ? 0 : pos % b.length
          if (op === 'set' && b.length) b[at] = byte
          else if (op === 'cut') b = b.slice(0, at)
          else b = Uint8Array.from([...b.subarray(0, at), byte, ...b.subarray(at)])
        }
        const r = tlvCodec.decode(b, ctx([9000]))
        expect(r.violations.some((v) => v.rule === 'tlv.internal')).toBe(false)
      }),
      { numRuns: 20000 }
    )
  })
})
