// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest'
import { CborWriter } from '../../../../src-main/core/cbor/writer'
import { EncodeError } from '../../../../src-main/core/lwm2m/codec'
import { decodeLwm2mCbor, encodeLwm2mCbor, lwm2mCborCodec } from '../../../../src-main/core/lwm2m/formats/lwm2m-cbor'
import type { Lwm2mRecord } from '../../../../src-main/core/lwm2m/record'
import { MODELS, hex, rules, toHex } from './senml-models'

const OMA = '74' + toHex(new TextEncoder().encode('Open Mobile Alliance'))
const ctx = { models: MODELS }

describe('LwM2M CBOR (C §7.5.4): facts §2.5 examples', () => {
  it('{[3,0,0]: "Open Mobile Alliance"} and {3:{0:{0:…}}} decode to the same record (decode-only)', () => {
    const flat = hex('a1 83 03 00 00' + OMA)
    const nested = hex('a1 03 a1 00 a1 00' + OMA)
    expect(flat.length).toBe(26)
    expect(nested.length).toBe(27)
    const expected = [{ path: [3, 0, 0], value: { type: 'string', value: 'Open Mobile Alliance' } }]
    expect(decodeLwm2mCbor(flat, ctx)).toEqual({ records: expected, violations: [] })
    expect(decodeLwm2mCbor(nested, ctx)).toEqual({ records: expected, violations: [] })
  })
  it('multi-instance resource {[3,0,6]: {0:1, 1:5}} (decode-only: canonical form groups by instance)', () => {
    const r = decodeLwm2mCbor(hex('a183030006a200010105'), ctx)
    expect(r).toEqual({
      records: [
        { path: [3, 0, 6, 0], value: { type: 'integer', value: 1 } },
        { path: [3, 0, 6, 1], value: { type: 'integer', value: 5 } }
      ],
      violations: []
    })
    expect(toHex(encodeLwm2mCbor(r.records, ctx))).toBe('a1820300a106a200010105')
  })
  it('Read-Composite response mixing depths (39 bytes)', () => {
    const bytes = hex('a2 820300 a2 00' + OMA + '091864 83010001 1a00015180')
    expect(bytes.length).toBe(39)
    expect(decodeLwm2mCbor(bytes, { models: MODELS, path: [] })).toEqual({
      records: [
        { path: [3, 0, 0], value: { type: 'string', value: 'Open Mobile Alliance' } },
        { path: [3, 0, 9], value: { type: 'integer', value: 100 } },
        { path: [1, 0, 1], value: { type: 'integer', value: 86400 } }
      ],
      violations: []
    })
  })
  it('Create with chosen instance: inner key array [2,102] is resource 2 instance 102 (17 bytes)', () => {
    const bytes = hex('a1 820205 a4 0005 0100 82021866 00 031865')
    expect(bytes.length).toBe(17)
    expect(decodeLwm2mCbor(bytes, { models: MODELS, path: [2] }).records).toEqual([
      { path: [2, 5, 0], value: { type: 'integer', value: 5 } },
      { path: [2, 5, 1], value: { type: 'integer', value: 0 } },
      { path: [2, 5, 2, 102], value: { type: 'integer', value: 0 } },
      { path: [2, 5, 3], value: { type: 'integer', value: 101 } }
    ])
  })
  it('Create without instance ID uses 65535 (1.2.1): accepted for a Create on /O, reported elsewhere', () => {
    const bytes = hex('a1 82 02 19ffff a1 00 05')
    const create = decodeLwm2mCbor(bytes, { models: MODELS, path: [2] })
    expect(create).toEqual({ records: [{ path: [2, 65535, 0], value: { type: 'integer', value: 5 } }], violations: [] })
    const write = decodeLwm2mCbor(bytes, { models: MODELS, path: [2, 5] })
    expect(write.records).toEqual(create.records)
    expect(write.violations).toMatchObject([
      { rule: 'lwm2m-cbor.reserved-id', offset: 3 },
      { rule: 'lwm2m-cbor.outside-target', offset: 7 }
    ])
    expect(toHex(encodeLwm2mCbor(create.records, { path: [2] }))).toBe('a1820219ffffa10005')
  })
  it('gateway prefixes: {["d01",3,0]: {0:"Company A", 9:100}, ["d02",3,0]: {...}} both ways', () => {
    const records: Lwm2mRecord[] = [
      { path: [3, 0, 0], prefix: 'd01', value: { type: 'string', value: 'Company A' } },
      { path: [3, 0, 9], prefix: 'd01', value: { type: 'integer', value: 100 } },
      { path: [3, 0, 0], prefix: 'd02', value: { type: 'string', value: 'Company B' } },
      { path: [3, 0, 9], prefix: 'd02', value: { type: 'integer', value: 50 } }
    ]
    const expected = 'a2 83 63643031 03 00 a2 00 69436f6d70616e792041 09 1864 83 63643032 03 00 a2 00 69436f6d70616e792042 09 1832'.replace(/ /g, '')
    expect(toHex(encodeLwm2mCbor(records, ctx))).toBe(expected)
    expect(decodeLwm2mCbor(hex(expected), ctx)).toEqual({ records, violations: [] })
  })
  it('own example {[3,0]:{0:"ACME",9:87}} is canonical: exact bytes both ways', () => {
    const h = 'a1820300a2006441434d45091857'
    const r = decodeLwm2mCbor(hex(h), ctx)
    expect(r).toEqual({
      records: [
        { path: [3, 0, 0], value: { type: 'string', value: 'ACME' } },
        { path: [3, 0, 9], value: { type: 'integer', value: 87 } }
      ],
      violations: []
    })
    expect(toHex(encodeLwm2mCbor(r.records, ctx))).toBe(h)
  })
  it('Write-Composite {[1,0,1]:3600, [3,0,13]: 1(1700000000)}: Time from tag 1, written back as a plain integer', () => {
    const r = decodeLwm2mCbor(hex('a283010001190e108303000dc11a6553f100'), { models: MODELS, path: [] })
    expect(r).toEqual({
      records: [
        { path: [1, 0, 1], value: { type: 'integer', value: 3600 } },
        { path: [3, 0, 13], value: { type: 'time', value: 1700000000 } }
      ],
      violations: []
    })
    expect(toHex(encodeLwm2mCbor(r.records, ctx))).toBe('a2820100a101190e10820300a10d1a6553f100')
  })
  it('Package URI write {[5,0]:{1:"coaps://fw.example.com/img.bin"}} exact both ways', () => {
    const h = 'a1820500a101781e636f6170733a2f2f66772e6578616d706c652e636f6d2f696d672e62696e'
    const r = decodeLwm2mCbor(hex(h), ctx)
    expect(r.records).toEqual([{ path: [5, 0, 1], value: { type: 'string', value: 'coaps://fw.example.com/img.bin' } }])
    expect(r.violations).toEqual([])
    expect(toHex(encodeLwm2mCbor(r.records, ctx))).toBe(h)
  })
})

describe('LwM2M CBOR: key forms and strictness', () => {
  it('indefinite maps and indefinite key arrays mix with definite ones at any level', () => {
    const r = decodeLwm2mCbor(hex('bf 9f 03 00 ff bf 00 64 41434d45 ff 01 a1 00 a1 01 190e10 ff'), ctx)
    expect(r.violations).toEqual([])
    expect(r.records).toEqual([
      { path: [3, 0, 0], value: { type: 'string', value: 'ACME' } },
      { path: [1, 0, 1], value: { type: 'integer', value: 3600 } }
    ])
  })
  it('duplicate paths are rejected with lwm2m-cbor.duplicate-path at the second key', () => {
    // {[3,0]: {0:"a"}, [3,0,0]: "b"}
    const r = decodeLwm2mCbor(hex('a2 820300 a1 00 6161 83030000 6162'), ctx)
    expect(r.violations).toEqual([expect.objectContaining({ rule: 'lwm2m-cbor.duplicate-path', offset: 8 })])
    // a resource given as a value and as instances conflicts too: {[3,0,6]: 1, [3,0,6,0]: 1}
    const m = decodeLwm2mCbor(hex('a2 83030006 01 8403000600 01'), {})
    expect(rules(m.violations)).toEqual(['lwm2m-cbor.duplicate-path'])
    expect(m.violations[0]?.offset).toBe(6)
  })
  it('duplicate detection (numeric keys, issue 12 item A) flags exactly the clashes path text would', () => {
    // Flat payload {[prefix?, ...path]: 1, ...}; each entry is [prefix, path].
    const flat = (entries: [string | undefined, number[]][]): Uint8Array => {
      const w = new CborWriter()
      w.mapHeader(entries.length)
      for (const [prefix, path] of entries) {
        w.arrayHeader(path.length + (prefix === undefined ? 0 : 1))
        if (prefix !== undefined) w.text(prefix)
        for (const id of path) w.int(id)
        w.int(1)
      }
      return w.finish()
    }
    // The rule as path text: a value clashes with the same path, a resource value with any of its
    // instances and an instance with its resource's value.
    const reference = (entries: [string | undefined, number[]][]): number[] => {
      const leaves = new Set<string>()
      const multi = new Set<string>()
      const out: number[] = []
      entries.forEach(([prefix, path], k) => {
        const head = prefix === undefined ? '' : prefix + '|'
        const key = head + path.join('/')
        const res = head + path.slice(0, 3).join('/')
        if (leaves.has(key) || (path.length === 3 && multi.has(key)) || (path.length === 4 && leaves.has(res))) out.push(k)
        leaves.add(key)
        if (path.length === 4) multi.add(res)
      })
      return out
    }
    const cases: [string | undefined, number[]][][] = [
      [[undefined, [3, 0, 6, 0]], [undefined, [3, 0, 6]]],
      [[undefined, [3, 0, 6, 0]], [undefined, [3, 0, 6, 1]], [undefined, [3, 0, 6, 0]]],
      [[undefined, [3, 0, 6]], [undefined, [3, 0, 6]], [undefined, [3, 0, 6, 0]]],
      [[undefined, [3, 0, 1]], [undefined, [3, 1, 1]], [undefined, [4, 0, 1]], [undefined, [3, 0, 2]]],
      [[undefined, [3, 0, 1]], ['gw', [3, 0, 1]], ['gw', [3, 0, 1]], ['gx', [3, 0, 1]], ['gw', [3, 0, 1, 0]]],
      [[undefined, [65534, 65534, 65535, 65535]], [undefined, [65534, 65534, 65535]], [undefined, [65534, 65534, 65535, 0]]],
      [[undefined, [3, 0, 1, 4]], [undefined, [3, 0, 4]], [undefined, [3, 0, 1, 0]], [undefined, [3, 0, 0, 1]], [undefined, [3, 0, 0]]]
    ]
    let clashes = 0
    for (const entries of cases) {
      const r = decodeLwm2mCbor(flat(entries), {})
      const flagged = r.violations.filter((v) => v.rule === 'lwm2m-cbor.duplicate-path').map((v) => v.message)
      const expected = reference(entries).map((k) => {
        const path = (entries[k] as [string | undefined, number[]])[1]
        return `/${path.join('/')} is given more than once (the spec leaves this undefined; rejected)`
      })
      expect(flagged).toEqual(expected)
      expect(r.records).toHaveLength(entries.length)
      clashes += flagged.length
    }
    expect(clashes).toBe(9)
  })
  it('truncation reports cbor.truncated at the item that is cut and keeps earlier records', () => {
    const full = hex('a2 820100 a1 01 190e10 820300 a1 00 64 41434d45')
    for (let cut = 1; cut < full.length; cut++) {
      const r = decodeLwm2mCbor(full.subarray(0, cut), ctx)
      expect(rules(r.violations)).toEqual(['cbor.truncated'])
    }
    const r = decodeLwm2mCbor(full.subarray(0, full.length - 2), ctx)
    expect(r.records).toEqual([{ path: [1, 0, 1], value: { type: 'integer', value: 3600 } }])
    expect(r.violations[0]?.offset).toBe(14)
  })
  it('null is only for none resources; values above resource level and too-deep paths are refused', () => {
    const none = decodeLwm2mCbor(hex('a1 83010004 f6'), ctx)
    expect(none).toEqual({ records: [{ path: [1, 0, 4], value: { type: 'none', value: null } }], violations: [] })
    expect(rules(decodeLwm2mCbor(hex('a1 83010001 f6'), ctx).violations)).toEqual(['lwm2m-cbor.null-value'])
    expect(rules(decodeLwm2mCbor(hex('a1 820300 05'), ctx).violations)).toEqual(['lwm2m-cbor.value-above-resource'])
    expect(rules(decodeLwm2mCbor(hex('a1 850300060000 05'), ctx).violations)).toEqual(['lwm2m-cbor.path-too-deep'])
  })
  it('types by the model and reports a value of the wrong kind', () => {
    const r = decodeLwm2mCbor(hex('a1 83 190ce7 00 191644 f94da0'), ctx)
    expect(r.records).toEqual([{ path: [3303, 0, 5700], value: { type: 'float', value: 22.5 } }])
    const wrong = decodeLwm2mCbor(hex('a1 83030009 6161'), ctx)
    expect(wrong.violations).toMatchObject([{ rule: 'lwm2m-cbor.wrong-type', offset: 5 }])
    const multi = decodeLwm2mCbor(hex('a1 83030006 01'), ctx)
    expect(rules(multi.violations)).toEqual(['lwm2m-cbor.instances-expected'])
  })
  it('a text prefix is only allowed first in a top-level key array', () => {
    const r = decodeLwm2mCbor(hex('a1 03 a1 82 6164 00 a1 00 01'), {})
    expect(rules(r.violations)).toEqual(['lwm2m-cbor.invalid-key'])
    expect(r.violations[0]?.offset).toBe(4)
  })
  it('the payload must be a map with entries, and nothing may follow it', () => {
    expect(rules(decodeLwm2mCbor(hex('80'), ctx).violations)).toEqual(['lwm2m-cbor.not-a-map'])
    expect(rules(decodeLwm2mCbor(hex('a0'), ctx).violations)).toEqual(['lwm2m-cbor.empty-map'])
    expect(decodeLwm2mCbor(hex('a1 83010001 01 00'), ctx).violations).toMatchObject([{ rule: 'cbor.trailing-bytes', offset: 6 }])
  })
  it('encoder refuses what LwM2M CBOR cannot carry', () => {
    const refuse = (records: Lwm2mRecord[], rule: string) => {
      try {
        lwm2mCborCodec.encode(records, ctx)
        expect.unreachable()
      } catch (e) {
        expect(e).toBeInstanceOf(EncodeError)
        expect((e as EncodeError).rule).toBe(rule)
      }
    }
    const v = { type: 'integer' as const, value: 1 }
    refuse([{ path: [3, 0] , value: v }], 'lwm2m-cbor.value-above-resource')
    refuse([{ path: [3, 0, 9] }], 'lwm2m-cbor.no-value')
    refuse([{ path: [3, 0, 9], value: v }, { path: [3, 0, 9], value: v }], 'lwm2m-cbor.duplicate-path')
    refuse([{ path: [3, 0, 6], value: v }, { path: [3, 0, 6, 0], value: v }], 'lwm2m-cbor.duplicate-path')
    refuse([{ path: [3, 0, 9], value: v, time: 5 }], 'lwm2m-cbor.time')
    refuse([{ path: [3, 0, 9], value: { type: 'unsigned', value: -1 } }], 'lwm2m-cbor.out-of-range')
    refuse([{ path: [3, 0, 22, 0], value: { type: 'objlnk', value: { objectId: 65536, instanceId: 0 } } }], 'lwm2m-cbor.invalid-objlnk')
    refuse([], 'lwm2m-cbor.empty')
  })
})
