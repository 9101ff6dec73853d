// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest'
import { EncodeError } from '../../../../src-main/core/lwm2m/codec'
import { senmlCborCodec } from '../../../../src-main/core/lwm2m/formats/senml-cbor'
import { isWarningRule } from '../../../../src-main/core/lwm2m/formats/warnings'
import type { Lwm2mRecord } from '../../../../src-main/core/lwm2m/record'
import { MODELS, hex, rules, toHex } from './senml-models'

const ctx = { models: MODELS }
const decode = (h: string, c: object = ctx) => senmlCborCodec.decode(hex(h), c)

describe('SenML CBOR (RFC 8428 §6, C §7.5.7): facts §2.3', () => {
  it('the constructed example [{-2:"/3/0/",0:"0",3:"ACME"},{0:"9",2:87},{0:"22/0","vlo":"10:0"}] both ways', () => {
    const h = '83a321652f332f302f006130036441434d45a2006139021857a2006432322f3063766c6f6431303a30'
    const r = decode(h)
    expect(r).toEqual({
      records: [
        { path: [3, 0, 0], value: { type: 'string', value: 'ACME' } },
        { path: [3, 0, 9], value: { type: 'integer', value: 87 } },
        { path: [3, 0, 22, 0], value: { type: 'objlnk', value: { objectId: 10, instanceId: 0 } } }
      ],
      violations: []
    })
    expect(toHex(senmlCborCodec.encode(r.records, ctx))).toBe(h)
  })
  it('canonical naming: bn per object instance group, short n, "/" base for shallower paths', () => {
    const records: Lwm2mRecord[] = [
      { path: [3303, 0, 5700], value: { type: 'float', value: 22.5 } },
      { path: [3303, 1, 5700], value: { type: 'float', value: 23.5 } },
      { path: [3303, 1, 5701], value: { type: 'string', value: 'Cel' } },
      { path: [1, 0] }
    ]
    const bytes = senmlCborCodec.encode(records, ctx)
    // [{-2:"/3303/0/",0:"5700",2:22.5},{-2:"/3303/1/",0:"5700",2:23.5},{0:"5701",3:"Cel"},{-2:"/",0:"1/0"}]
    expect(toHex(bytes)).toBe(
      '84' + 'a3 21 682f333330332f302f 00 6435373030 02 f94da0'.replace(/ /g, '') +
        'a3 21 682f333330332f312f 00 6435373030 02 f94de0'.replace(/ /g, '') +
        'a2 00 6435373031 03 6343656c'.replace(/ /g, '') + 'a2 21 612f 00 63312f30'.replace(/ /g, '')
    )
    expect(senmlCborCodec.decode(bytes, ctx)).toEqual({ records, violations: [] })
  })
})

describe('SenML CBOR: resolution and typing', () => {
  it('bn and bt persist across records; t is relative to bt (RFC 8428 §4.5.3)', () => {
    // [{-2:"/3303/0/",-3:1000,0:"5700",6:5,2:1.5},{0:"5700",6:10,2:2.5}]
    const r = decode('82 a5 21 682f333330332f302f 22 1903e8 00 6435373030 06 05 02 f93e00 a3 00 6435373030 06 0a 02 f94100')
    expect(r.violations).toEqual([])
    expect(r.records).toEqual([
      { path: [3303, 0, 5700], value: { type: 'float', value: 1.5 }, time: 1005 },
      { path: [3303, 0, 5700], value: { type: 'float', value: 2.5 }, time: 1010 }
    ])
  })
  it('v is typed by the model: integer, unsigned, float, time; without a model the CBOR type decides', () => {
    const r = decode('84 a2 00 67 2f312f302f3133 02 05 a2 00 67 2f332f302f3133 02 1a6553f100 a2 00 6c2f333330332f302f35373030 02 16 a2 00 662f392f392f39 02 f93e00')
    expect(r.records.map((x) => x.value)).toEqual([
      { type: 'unsigned', value: 5 },
      { type: 'time', value: 1700000000 },
      { type: 'float', value: 22 },
      { type: 'float', value: 1.5 }
    ])
  })
  it('vd is a byte string; vb a boolean; a bigint beyond 2^53 stays exact', () => {
    const r = decode('83 a2 00 66 2f352f302f30 08 43 010203 a2 00 66 2f312f302f36 04 f5 a2 00 66 2f312f302f30 02 1b0020000000000001', {})
    expect(r.records.map((x) => x.value)).toEqual([
      { type: 'opaque', value: hex('010203') },
      { type: 'boolean', value: true },
      { type: 'integer', value: 9007199254740993n }
    ])
  })
  it('gateway prefix names "/dev1/3/0/0" give prefix dev1', () => {
    const r = decode('81 a2 00 6b 2f646576312f332f302f30 03 6141')
    expect(r).toEqual({ records: [{ path: [3, 0, 0], prefix: 'dev1', value: { type: 'string', value: 'A' } }], violations: [] })
  })
})

describe('SenML CBOR: violations with offsets', () => {
  it('a record without name and without base name', () => {
    expect(decode('81 a1 02 01').violations).toMatchObject([{ rule: 'senml.missing-name', offset: 1 }])
  })
  it('a name that is not a path', () => {
    const r = decode('82 a2 00 63 2f2f33 02 01 a2 00 66 2f332f30302f 02 01')
    expect(r.violations).toMatchObject([
      { rule: 'senml.invalid-name', offset: 1 },
      { rule: 'senml.invalid-name', offset: 9 }
    ])
    expect(r.records).toEqual([])
  })
  it('duplicate paths (same name, no time) at the second record', () => {
    const r = decode('82 a2 00 66 2f332f302f39 02 01 a2 00 66 2f332f302f39 02 02')
    expect(r.violations).toMatchObject([{ rule: 'senml.duplicate-path', offset: 12 }])
    expect(r.records).toHaveLength(2)
  })
  it('a duplicate label inside one record (cbor-x would merge it silently)', () => {
    const r = decode('81 a3 00 66 2f332f302f39 02 01 02 02')
    expect(r.violations).toMatchObject([{ rule: 'senml.duplicate-label', offset: 12 }])
    expect(r.records[0]?.value).toEqual({ type: 'integer', value: 1 })
  })
  it('several value fields in one record', () => {
    const r = decode('81 a3 00 66 2f332f302f39 02 01 03 6161')
    expect(r.violations).toMatchObject([{ rule: 'senml.multiple-values', offset: 12 }])
  })
  it('a value of the wrong kind for the model', () => {
    const r = decode('81 a2 00 66 2f332f302f39 03 6161')
    expect(r.violations).toMatchObject([{ rule: 'senml.wrong-value-kind', offset: 10 }])
  })
  it('unknown labels are warnings, must-understand labels ("_" suffix) are errors', () => {
    const r = decode('81 a4 00 66 2f332f302f39 02 01 18 63 00 67 666f6f6261725f 01')
    expect(r.violations).toMatchObject([
      { rule: 'senml.unknown-label', offset: 12 },
      { rule: 'senml.must-understand', offset: 15 }
    ])
    expect(isWarningRule('senml.unknown-label')).toBe(true)
    expect(isWarningRule('senml.must-understand')).toBe(false)
    expect(r.records).toHaveLength(1)
  })
  it('truncation anywhere gives exactly cbor.truncated and keeps whole records read before it', () => {
    const full = hex('82 a2 00 66 2f332f302f39 02 01 a2 00 66 2f332f302f30 03 6141')
    for (let cut = 1; cut < full.length; cut++) {
      const r = senmlCborCodec.decode(full.subarray(0, cut), ctx)
      expect(rules(r.violations)).toEqual(['cbor.truncated'])
      expect(r.records).toHaveLength(cut >= 12 ? 1 : 0)
    }
  })
  it('the encoder refuses none values and deletes outside ETCH', () => {
    expect(() => senmlCborCodec.encode([{ path: [1, 0, 4], value: { type: 'none', value: null } }], ctx)).toThrow(EncodeError)
    expect(() => senmlCborCodec.encode([{ path: [1, 0, 4], delete: true }], ctx)).toThrow(EncodeError)
    expect(() => senmlCborCodec.encode([{ path: [1, 0, 4], prefix: '9x' }], ctx)).toThrow(EncodeError)
  })
})
