// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest'
import { EncodeError } from '../../../../src-main/core/lwm2m/codec'
import { cborSingleCodec } from '../../../../src-main/core/lwm2m/formats/cbor-single'
import type { Path } from '../../../../src-main/core/lwm2m/path'
import type { Value } from '../../../../src-main/core/lwm2m/value'
import { MODELS, hex, rules, toHex } from './senml-models'

const at = (path: Path) => ({ models: MODELS, path })
const decode = (h: string, path: Path) => cborSingleCodec.decode(hex(h), at(path))
const value = (h: string, path: Path) => decode(h, path).records[0]?.value

describe('CBOR (CF 60), one value per C App. C Tbl C-2 (facts §2.6)', () => {
  it('maps each resource type both ways', () => {
    const cases: [Path, string, Value][] = [
      [[3, 0, 0], '6441434d45', { type: 'string', value: 'ACME' }],
      [[3, 0, 9], '1864', { type: 'integer', value: 100 }],
      [[3, 0, 9], '3863', { type: 'integer', value: -100 }],
      [[1, 0, 13], '05', { type: 'unsigned', value: 5 }],
      [[3303, 0, 5700], 'f94da0', { type: 'float', value: 22.5 }],
      [[3303, 0, 5700], 'fb4036800000000001', { type: 'float', value: 22.500000000000004 }],
      [[1, 0, 6], 'f5', { type: 'boolean', value: true }],
      [[5, 0, 0], '43010203', { type: 'opaque', value: hex('010203') }],
      [[3, 0, 13], '1a6553f100', { type: 'time', value: 1700000000 }],
      [[1, 0, 10], '6731313a36353533', { type: 'objlnk', value: { objectId: 11, instanceId: 6553 } }],
      [[1, 0, 4], 'f6', { type: 'none', value: null }]
    ]
    for (const [path, h, v] of cases) {
      expect(decode(h, path)).toEqual({ records: [{ path, value: v }], violations: [] })
      expect(toHex(cborSingleCodec.encode([{ path, value: v }], at(path)))).toBe(h)
    }
  })
  it('Time: uint, tag 1 (epoch) or tag 0 (RFC 3339) on input; a plain integer on output', () => {
    expect(value('c11a6553f100', [3, 0, 13])).toEqual({ type: 'time', value: 1700000000 })
    expect(value('c074323032332d31312d31345432323a31333a32305a', [3, 0, 13])).toEqual({ type: 'time', value: 1700000000 })
    expect(value('c07819323032332d31312d31355430303a31333a32302b30323a3030', [3, 0, 13])).toEqual({ type: 'time', value: 1700000000 })
    expect(toHex(cborSingleCodec.encode([{ path: [3, 0, 13], value: { type: 'time', value: 1700000000 } }], {}))).toBe('1a6553f100')
    expect(decode('c0636e6f77', [3, 0, 13]).violations).toMatchObject([{ rule: 'cbor.invalid-time', offset: 0 }])
    expect(rules(decode('c1fb41d954fc40000000', [3, 0, 13]).violations)).toEqual([])
    expect(rules(decode('c1fb41d954fc40080000', [3, 0, 13]).violations)).toEqual(['cbor.time-fraction'])
  })
  it('without a model the CBOR type decides', () => {
    expect(cborSingleCodec.decode(hex('f93e00'), { path: [9, 0, 0] }).records[0]?.value).toEqual({ type: 'float', value: 1.5 })
    expect(cborSingleCodec.decode(hex('20'), { path: [9, 0, 0] }).records[0]?.value).toEqual({ type: 'integer', value: -1 })
    expect(cborSingleCodec.decode(hex('c11a6553f100'), { path: [9, 0, 0] }).records[0]?.value).toEqual({ type: 'time', value: 1700000000 })
  })
  it('reports wrong kinds, negative unsigned, bad links, and refuses several items', () => {
    expect(decode('6161', [3, 0, 9]).violations).toMatchObject([{ rule: 'cbor.wrong-type', offset: 0 }])
    expect(decode('20', [1, 0, 13]).violations).toMatchObject([{ rule: 'cbor.out-of-range', offset: 0 }])
    expect(decode('63313a78', [1, 0, 10]).violations).toMatchObject([{ rule: 'cbor.invalid-objlnk', offset: 0 }])
    expect(decode('f6', [3, 0, 9]).violations).toMatchObject([{ rule: 'cbor.null-value', offset: 0 }])
    expect(decode('0102', [3, 0, 9]).violations).toMatchObject([{ rule: 'cbor.trailing-bytes', offset: 1 }])
    expect(decode('a0', [3, 0, 9]).violations).toMatchObject([{ rule: 'cbor.not-a-value', offset: 0 }])
    expect(rules(decode('', [3, 0, 9]).violations)).toEqual(['cbor.truncated'])
    expect(rules(decode('01', [3, 0]).violations)).toEqual(['cbor.target-not-resource'])
    expect(rules(decode('1b', [3, 0, 9]).violations)).toEqual(['cbor.truncated'])
  })
  it('encoder takes exactly one record with a value', () => {
    expect(() => cborSingleCodec.encode([], {})).toThrow(EncodeError)
    expect(() => cborSingleCodec.encode([{ path: [3, 0, 9] }], {})).toThrow(EncodeError)
  })
})
