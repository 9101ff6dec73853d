// SPDX-License-Identifier: Apache-2.0
import { describe, expect, it } from 'vitest'
import { EncodeError } from '../../../../src-main/core/lwm2m/codec'
import { senmlEtchCborCodec } from '../../../../src-main/core/lwm2m/formats/senml-etch-cbor'
import { senmlEtchJsonCodec } from '../../../../src-main/core/lwm2m/formats/senml-etch-json'
import type { Lwm2mRecord } from '../../../../src-main/core/lwm2m/record'
import { MODELS, hex, rules, toHex, utf8 } from './senml-models'

const ctx = { models: MODELS, path: [] as const }
const json = (text: string) => senmlEtchJsonCodec.decode(utf8(text), ctx)

describe('SenML-ETCH (RFC 8790) Fetch Packs: facts §2.3', () => {
  it('CBOR Fetch Pack for /3/0/0 + /3/0/9 [{-2:"/3/0/",0:"0"},{0:"9"}] both ways', () => {
    const h = '82a221652f332f302f006130a1006139'
    const r = senmlEtchCborCodec.decode(hex(h), ctx)
    expect(r).toEqual({ records: [{ path: [3, 0, 0] }, { path: [3, 0, 9] }], violations: [] })
    expect(toHex(senmlEtchCborCodec.encode(r.records, ctx))).toBe(h)
  })
  it('JSON Fetch Pack with paths at every depth, written back canonically', () => {
    const r = json('[{"n":"/3/0/0"},{"n":"/1"},{"n":"/3/0"},{"n":"/dev1/3/0/9"}]')
    expect(r).toEqual({ records: [{ path: [3, 0, 0] }, { path: [1] }, { path: [3, 0] }, { path: [3, 0, 9], prefix: 'dev1' }], violations: [] })
    expect(new TextDecoder().decode(senmlEtchJsonCodec.encode(r.records, ctx))).toBe(
      '[{"bn":"/3/0/","n":"0"},{"bn":"/","n":"1"},{"n":"3/0"},{"bn":"/dev1/3/0/","n":"9"}]'
    )
  })
  it('labels beyond n, bn, t, bt, u, bu and the values are not allowed', () => {
    const r = json('[{"n":"/3/0/0","u":"%","bver":10,"s":1,"ut":5}]')
    expect(r.violations).toMatchObject([
      { rule: 'senml-etch.label-not-allowed', offset: 23 },
      { rule: 'senml-etch.label-not-allowed', offset: 33 },
      { rule: 'senml-etch.label-not-allowed', offset: 39 }
    ])
    expect(rules(json('[{"n":"/3/0/0","foo":1}]').violations)).toEqual(['senml-etch.label-not-allowed'])
  })
})

describe('SenML-ETCH Patch Packs: values and deletes', () => {
  it('JSON "v": null deletes the resource instance', () => {
    const text = '[{"bn":"/3/0/","n":"9","v":90},{"n":"6/1","v":null}]'
    const r = json(text)
    expect(r).toEqual({
      records: [
        { path: [3, 0, 9], value: { type: 'integer', value: 90 } },
        { path: [3, 0, 6, 1], value: { type: 'none', value: null }, delete: true }
      ],
      violations: []
    })
    expect(new TextDecoder().decode(senmlEtchJsonCodec.encode(r.records, ctx))).toBe(text)
  })
  it('CBOR label 2 with F6 deletes; both ways', () => {
    // [{-2:"/3/0/",0:"6/1",2:null}]
    const h = '81a321652f332f302f0063362f3102f6'
    const r = senmlEtchCborCodec.decode(hex(h), ctx)
    expect(r).toEqual({ records: [{ path: [3, 0, 6, 1], value: { type: 'none', value: null }, delete: true }], violations: [] })
    expect(toHex(senmlEtchCborCodec.encode(r.records, ctx))).toBe(h)
  })
  it('null on other value labels is refused; a pack mixing Fetch and Patch records is refused', () => {
    expect(rules(json('[{"n":"/3/0/0","vs":null}]').violations)).toEqual(['senml-etch.null-value'])
    const mixed = json('[{"n":"/3/0/0"},{"n":"/3/0/9","v":1}]')
    expect(mixed.violations).toMatchObject([{ rule: 'senml-etch.mixed-pack', offset: 16 }])
    const records: Lwm2mRecord[] = [{ path: [3, 0, 0] }, { path: [3, 0, 9], value: { type: 'integer', value: 1 } }]
    expect(() => senmlEtchCborCodec.encode(records, ctx)).toThrow(EncodeError)
  })
})
