// SPDX-License-Identifier: Apache-2.0
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { EncodeError, type CodecContext } from '../../../../src-main/core/lwm2m/codec'
import { lwm2mJsonCodec } from '../../../../src-main/core/lwm2m/formats/lwm2m-json'
import type { Path } from '../../../../src-main/core/lwm2m/path'
import type { Lwm2mRecord } from '../../../../src-main/core/lwm2m/record'
import { MODELS } from './test-models'
import { instanceRecordsArb, recordsArb, sortRecords } from './arbitraries'

const enc = new TextEncoder()
const dec = new TextDecoder()
const ctx = (path?: Path, models = true): CodecContext => ({ ...(path ? { path } : {}), ...(models ? { models: MODELS } : {}) })
const decode = (json: string, path?: Path, models = true) => lwm2mJsonCodec.decode(enc.encode(json), ctx(path, models))
const encode = (records: Lwm2mRecord[], path?: Path, models = true) => dec.decode(lwm2mJsonCodec.encode(records, ctx(path, models)))
const rules = (r: { violations: { rule: string }[] }) => r.violations.map((v) => v.rule)

const DEVICE_JSON = '{"bn":"/3/0/","e":[{"n":"0","sv":"Open Mobile Alliance"},{"n":"6/0","v":1},{"n":"6/1","v":5},{"n":"13","v":1367491215}]}'
const DEVICE_RECORDS: Lwm2mRecord[] = [
  { path: [3, 0, 0], value: { type: 'string', value: 'Open Mobile Alliance' } },
  { path: [3, 0, 6, 0], value: { type: 'integer', value: 1 } },
  { path: [3, 0, 6, 1], value: { type: 'integer', value: 5 } },
  { path: [3, 0, 13], value: { type: 'time', value: 1367491215 } }
]

describe('C §7.5.6.1 legacy OMA JSON (facts §2.4), both ways', () => {
  it('a Device read: bn "/3/0/", names relative, v typed by the model', () => {
    expect(decode(DEVICE_JSON, [3, 0])).toEqual({ records: DEVICE_RECORDS, violations: [] })
    expect(encode(DEVICE_RECORDS, [3, 0])).toBe(DEVICE_JSON)
  })
  it('bv, ov, sv (opaque as Base64) and a single resource written with bn = its path', () => {
    expect(encode([{ path: [1, 0, 6], value: { type: 'boolean', value: true } }], [1, 0, 6])).toBe('{"bn":"/1/0/6","e":[{"bv":true}]}')
    expect(decode('{"bn":"/1/0/6","e":[{"bv":true}]}', [1, 0, 6]).records).toEqual([{ path: [1, 0, 6], value: { type: 'boolean', value: true } }])
    const link: Lwm2mRecord = { path: [66, 0, 0], value: { type: 'objlnk', value: { objectId: 66, instanceId: 0 } } }
    expect(encode([link], [66, 0])).toBe('{"bn":"/66/0/","e":[{"n":"0","ov":"66:0"}]}')
    expect(decode('{"bn":"/66/0/","e":[{"n":"0","ov":"66:0"}]}', [66, 0]).records).toEqual([link])
    const blob: Lwm2mRecord = { path: [9000, 0, 15], value: { type: 'opaque', value: Uint8Array.of(1, 2, 3, 4, 5) } }
    expect(encode([blob], [9000])).toBe('{"bn":"/9000/","e":[{"n":"0/15","sv":"AQIDBAU="}]}')
    expect(decode('{"bn":"/9000/","e":[{"n":"0/15","sv":"AQIDBAU="}]}', [9000]).records).toEqual([blob])
  })
  it('bt + t give the record time; the encoder writes absolute t', () => {
    const r = decode('{"bn":"/3303/0/","bt":1700000000,"e":[{"n":"5700","v":22.5,"t":-5}]}', [3303, 0])
    expect(r.records).toEqual([{ path: [3303, 0, 5700], value: { type: 'float', value: 22.5 }, time: 1699999995 }])
    expect(encode(r.records, [3303, 0])).toBe('{"bn":"/3303/0/","e":[{"n":"5700","v":22.5,"t":1699999995}]}')
  })
  it('64-bit integers keep every digit', () => {
    const r = decode('{"bn":"/9000/0/","e":[{"n":"11","v":-9223372036854775808},{"n":"12","v":18446744073709551615}]}', [9000, 0])
    expect(r.records.map((x) => x.value)).toEqual([{ type: 'integer', value: -(1n << 63n) }, { type: 'unsigned', value: (1n << 64n) - 1n }])
    expect(encode(r.records, [9000, 0])).toBe('{"bn":"/9000/0/","e":[{"n":"11","v":-9223372036854775808},{"n":"12","v":18446744073709551615}]}')
  })
  it('without bn, names are relative to the request path; without a model, v is Integer or Float by its text', () => {
    expect(decode('{"e":[{"n":"1","v":3600},{"n":"2","v":1.5}]}', [1, 0], false).records).toEqual([
      { path: [1, 0, 1], value: { type: 'integer', value: 3600 } },
      { path: [1, 0, 2], value: { type: 'float', value: 1.5 } }
    ])
  })
})

describe('C §7.5.6.1 legacy OMA JSON decoding: strict violations', () => {
  it('bad JSON is a violation with its character offset', () => {
    const r = decode('{"bn":"/3/0/","e":[{"n":"0","sv":"x"},]}', [3, 0])
    expect(r.records).toEqual([])
    expect(r.violations).toMatchObject([{ rule: 'lwm2m-json.syntax', offset: 38 }])
    expect(rules(decode('', [3, 0]))).toEqual(['lwm2m-json.syntax'])
    expect(rules(lwm2mJsonCodec.decode(Uint8Array.of(0x7b, 0xff, 0x7d), ctx([3, 0])))).toEqual(['lwm2m-json.utf8'])
  })
  it('unknown and duplicate keys are violations', () => {
    const r = decode('{"bn":"/3/0/","x":1,"e":[{"n":"0","sv":"a","u":"V"}]}', [3, 0])
    expect(r.violations).toMatchObject([{ rule: 'lwm2m-json.unknown-key', offset: 14 }, { rule: 'lwm2m-json.unknown-key' }])
    expect(r.records).toHaveLength(1)
    expect(rules(decode('{"bn":"/3/0/","bn":"/1/0/","e":[]}', [3, 0]))).toEqual(['lwm2m-json.duplicate-key'])
  })
  it('entries with zero or several value keys are violations and skipped', () => {
    const r = decode('{"bn":"/3/0/","e":[{"n":"0"},{"n":"1","sv":"a","v":1},{"n":"9","v":80}]}', [3, 0])
    expect(rules(r)).toEqual(['lwm2m-json.value-count', 'lwm2m-json.value-count'])
    expect(r.records).toEqual([{ path: [3, 0, 9], value: { type: 'integer', value: 80 } }])
  })
  it('names that do not form a resource path are violations', () => {
    expect(rules(decode('{"bn":"/3/0","e":[{"n":"1","sv":"a"}]}', [3, 0]))).toEqual(['lwm2m-json.name'])
    expect(rules(decode('{"bn":"/3/","e":[{"n":"0","sv":"a"}]}', [3]))).toEqual(['lwm2m-json.name'])
    expect(rules(decode('{"bn":"/3/0/","e":[{"n":"x","sv":"a"}]}', [3, 0]))).toEqual(['lwm2m-json.name'])
    expect(rules(decode('{"bn":"/3/0/","e":[{"n":"65535","sv":"a"}]}', [3, 0]))).toEqual(['lwm2m-json.name'])
  })
  it('a value of the wrong type for the model is a violation; duplicates and paths outside the request too', () => {
    expect(rules(decode('{"bn":"/3/0/","e":[{"n":"9","sv":"80"}]}', [3, 0]))).toEqual(['lwm2m-json.value-type'])
    expect(rules(decode('{"bn":"/3/0/","e":[{"n":"9","v":80.5}]}', [3, 0]))).toEqual(['lwm2m-json.value-type'])
    expect(rules(decode('{"bn":"/3/0/","e":[{"n":"0","bv":true}]}', [3, 0]))).toEqual(['lwm2m-json.value-type'])
    expect(rules(decode('{"bn":"/9000/0/","e":[{"n":"12","v":-1}]}', [9000, 0]))).toEqual(['lwm2m-json.value-type'])
    expect(rules(decode('{"bn":"/66/0/","e":[{"n":"0","ov":"65535:1"}]}', [66, 0]))).toEqual(['lwm2m-json.objlnk-range'])
    expect(rules(decode('{"bn":"/66/0/","e":[{"n":"0","ov":"66"}]}', [66, 0]))).toEqual(['lwm2m-json.value-type'])
    expect(rules(decode('{"bn":"/3/0/","e":[{"n":"9","v":1},{"n":"9","v":2}]}', [3, 0]))).toEqual(['lwm2m-json.duplicate-path'])
    expect(rules(decode('{"bn":"/1/0/","e":[{"n":"1","v":1}]}', [3, 0]))).toEqual(['lwm2m-json.outside-path'])
    expect(rules(decode('{"bn":"/3/0/","e":[{"n":"6","v":1}]}', [3, 0]))).toEqual(['lwm2m-json.multiple-mismatch'])
    expect(rules(decode('{"bn":"/3/0/","e":[{"n":"9","v":"80"}]}', [3, 0]))).toEqual(['lwm2m-json.shape'])
    // "1.0" and "1e3" name integers exactly: accepted.
    expect(decode('{"bn":"/3/0/","e":[{"n":"9","v":1e2}]}', [3, 0])).toEqual({ records: [{ path: [3, 0, 9], value: { type: 'integer', value: 100 } }], violations: [] })
  })
  it('a payload that is not {"e": [...]} is a violation', () => {
    expect(rules(decode('[]', [3, 0]))).toEqual(['lwm2m-json.shape'])
    expect(rules(decode('{"bn":"/3/0/"}', [3, 0]))).toEqual(['lwm2m-json.shape'])
    expect(rules(decode('{"e":{}}', [3, 0]))).toEqual(['lwm2m-json.shape'])
    expect(rules(decode('{"e":[1]}', [3, 0]))).toEqual(['lwm2m-json.shape'])
  })
})

describe('C §7.5.6.1 legacy OMA JSON encoding', () => {
  it('refuses what the model forbids and what the format cannot say', () => {
    const cases: [Lwm2mRecord[], Path, string][] = [
      [[{ path: [1, 0, 1], value: { type: 'string', value: 'x' } }], [1, 0], 'lwm2m-json.type-mismatch'],
      [[{ path: [1, 0, 99], value: { type: 'integer', value: 1 } }], [1, 0], 'lwm2m-json.unknown-resource'],
      [[{ path: [3, 0, 6], value: { type: 'integer', value: 1 } }], [3, 0], 'lwm2m-json.multiple'],
      [[{ path: [1, 0, 8], value: { type: 'none', value: null } }], [1, 0], 'lwm2m-json.value'],
      [[{ path: [3303, 0, 5700], value: { type: 'float', value: NaN } }], [3303, 0], 'lwm2m-json.value'],
      [[{ path: [1, 0, 1] }], [1, 0], 'lwm2m-json.value'],
      [[{ path: [1, 0, 1], value: { type: 'integer', value: 1 } }], [3, 0], 'lwm2m-json.outside-path'],
      [[{ path: [1, 0], value: { type: 'integer', value: 1 } }], [1], 'lwm2m-json.path-depth']
    ]
    for (const [records, path, rule] of cases) {
      expect(() => encode(records, path), rule).toThrow(EncodeError)
      try {
        encode(records, path)
      } catch (e) {
        expect((e as EncodeError).rule).toBe(rule)
      }
    }
  })
  it('is deterministic whatever the record order', () => {
    expect(encode([...DEVICE_RECORDS].reverse(), [3, 0])).toBe(DEVICE_JSON)
  })
})

describe('C §7.5.6.1 legacy OMA JSON properties', () => {
  const noEmpty = (rs: Lwm2mRecord[]) => rs.filter((r) => r.value !== undefined && !(r.value.type === 'float' && !Number.isFinite(r.value.value)))
  it('decode(encode(x)) == x over every type (object and instance level)', () => {
    fc.assert(
      fc.property(recordsArb, (generated) => {
        const records = noEmpty(generated)
        const bytes = lwm2mJsonCodec.encode(records, ctx([9000]))
        expect(lwm2mJsonCodec.decode(bytes, ctx([9000]))).toEqual({ records: sortRecords(records), violations: [] })
        expect(lwm2mJsonCodec.encode([...records].reverse(), ctx([9000]))).toEqual(bytes)
      }),
      { numRuns: 300 }
    )
    fc.assert(
      fc.property(instanceRecordsArb(5, false), (generated) => {
        const records = noEmpty(generated)
        const back = lwm2mJsonCodec.decode(lwm2mJsonCodec.encode(records, ctx([9000, 5])), ctx([9000, 5]))
        expect(back).toEqual({ records: sortRecords(records), violations: [] })
      }),
      { numRuns: 300 }
    )
  })
})

describe('C §7.5.6.1 legacy OMA JSON: long values', () => {
  it('strings and opaque values of 7/8, 255/256, 65535/65536 bytes survive', () => {
    for (const n of [7, 8, 255, 256, 65535, 65536]) {
      const records: Lwm2mRecord[] = [
        { path: [9000, 2, 10], value: { type: 'string', value: '"\\é'.repeat(n >> 2) + 'x'.repeat(n & 3) } },
        { path: [9000, 2, 15], value: { type: 'opaque', value: new Uint8Array(n).map((_, i) => i * 7) } }
      ]
      expect(lwm2mJsonCodec.decode(lwm2mJsonCodec.encode(records, ctx([9000, 2])), ctx([9000, 2]))).toEqual({ records, violations: [] })
    }
  })
})

describe('C §7.5.6.1 legacy OMA JSON decoder fuzz: never throws', () => {
  it('random bytes, random JSON-ish text and mutated valid payloads (20k cases each)', () => {
    const check = (bytes: Uint8Array) => {
      const r = lwm2mJsonCodec.decode(bytes, ctx([3, 0]))
      expect(rules(r)).not.toContain('lwm2m-json.internal')
    }
    fc.assert(fc.property(fc.uint8Array({ maxLength: 64 }), check), { numRuns: 20000 })
    const jsonish = fc.string({ unit: fc.constantFrom(...'{}[]",:0123456789-.eEtrufalsn bvosx/\\'), maxLength: 60 })
    fc.assert(fc.property(jsonish, (s) => check(enc.encode(s))), { numRuns: 20000 })
    const valid = enc.encode(DEVICE_JSON)
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(valid.length - 1), fc.integer({ min: 0, max: 255 })), { minLength: 1, maxLength: 3 }), fc.nat(valid.length), (edits, cut) => {
        const b = valid.slice(0, Math.max(cut, 1))
        for (const [at, byte] of edits) if (at < b.length) b[at] = byte
        check(b)
      }),
      { numRuns: 20000 }
    )
    // Deep nesting is refused, not a stack overflow.
    const deep = decode('['.repeat(100000), [3, 0])
    expect(rules(deep)).toEqual(['lwm2m-json.syntax'])
  })
})
