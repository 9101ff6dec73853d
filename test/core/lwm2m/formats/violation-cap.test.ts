// SPDX-License-Identifier: Apache-2.0
// Issue 12 item 19 (second half): decode violations are capped. A 1 MB hostile TLV gave 333 333
// violations and 72 MB of JSON; a decode now keeps the first 100 and reports the real count as
// violationsTotal, without building the rest.
import { describe, expect, it } from 'vitest'
import { CborWriter } from '../../../../src-main/core/cbor/writer'
import { CF } from '../../../../src-main/core/lwm2m/content-format'
import { decodePayload } from '../../../../src-main/core/lwm2m/formats/all'
import { DECODE_VIOLATION_LIMIT, ViolationList } from '../../../../src-main/core/violation'
import { MODELS } from './senml-models'

/** n Resource Instance TLVs (41 00 00) at instance level /3/0: one violation each, no record. */
function hostileTlv(n: number): Uint8Array {
  const b = new Uint8Array(n * 3)
  for (let i = 0; i < n; i++) b.set([0x41, 0x00, 0x00], i * 3)
  return b
}

/** A SenML JSON pack of n numbers: each element is "not a record", none becomes a record. */
function hostileSenml(n: number): Uint8Array {
  return new TextEncoder().encode('[' + Array(n).fill('1').join(',') + ']')
}

describe('issue 12 item 19: a decode keeps the first 100 violations and counts them all', () => {
  it('ViolationList keeps the first `limit`, counts the rest per rule, and rolls back to a mark', () => {
    const v = new ViolationList(3)
    for (let i = 0; i < 5; i++) v.add(i, i < 4 ? 'a' : 'b', 's', 'm')
    expect(v.items.map((x) => x.offset)).toEqual([0, 1, 2])
    expect(v.length).toBe(5)
    expect([...v.omitted]).toEqual([['a', 1], ['b', 1]])
    const mark = v.mark()
    v.add(5, 'c', 's', 'm')
    v.rollback(mark)
    expect([v.length, v.items.length, [...v.omitted]]).toEqual([5, 3, [['a', 1], ['b', 1]]])
    // A mark below the limit: rolling back drops kept items too.
    const w = new ViolationList(3)
    w.add(0, 'a', 's', 'm')
    const m = w.mark()
    for (let i = 1; i < 6; i++) w.add(i, 'b', 's', 'm')
    w.rollback(m)
    expect([w.length, w.items.length, [...w.omitted]]).toEqual([1, 1, []])
    // Without a limit nothing is dropped (the CoAP codec, link format and others use it so).
    const u = new ViolationList()
    for (let i = 0; i < 500; i++) u.add(i, 'a', 's', 'm')
    expect(u.items).toHaveLength(500)
  })

  it('a 1 MB hostile TLV: exactly 100 violations, violationsTotal 333 333, small output', () => {
    // The per-item count the total relies on: one violation per 3-byte TLV.
    const small = decodePayload(CF.TLV, hostileTlv(40), { path: [3, 0], models: MODELS })
    expect([small.violations.length, small.violationsTotal]).toEqual([40, 40])
    const n = 333_333
    const started = performance.now()
    const r = decodePayload(CF.TLV, hostileTlv(n), { path: [3, 0], models: MODELS })
    const ms = performance.now() - started
    expect(r.violations).toHaveLength(DECODE_VIOLATION_LIMIT)
    expect(DECODE_VIOLATION_LIMIT).toBe(100)
    expect(r.violationsTotal).toBe(n)
    expect(r.violationsOmitted).toEqual({ 'tlv.kind-not-allowed': n - 100 })
    expect(r.violations[99]?.offset).toBe(99 * 3)
    expect(r.records).toEqual([])
    expect(JSON.stringify(r).length).toBeLessThan(40_000)
    // Linear work only; generous for a loaded 2-core machine (it took ~0.6 s uncapped).
    expect(ms).toBeLessThan(5_000)
  })

  it('a hostile SenML JSON pack (500 000 non-records): 100 violations, the real total', () => {
    const n = 500_000
    const r = decodePayload(CF.SENML_JSON, hostileSenml(n), { models: MODELS })
    expect(r.violations).toHaveLength(100)
    expect(r.violations.every((v) => v.rule === 'senml.not-a-record')).toBe(true)
    expect(r.violationsTotal).toBe(n)
    expect(JSON.stringify(r).length).toBeLessThan(40_000)
  })

  it('SenML rolls back quiet parses past the cap and the count stays exact', () => {
    // 150 non-records, then a record whose prefixed base name is parsed quietly (and rolled back
    // when it does not parse), then one real invalid name.
    const text = '[' + Array(150).fill('1').join(',') + ',{"bn":"/dev1/3/x/","n":"1","v":1}]'
    const r = decodePayload(CF.SENML_JSON, new TextEncoder().encode(text), { models: MODELS })
    expect(r.violationsTotal).toBe(151)
    expect(r.violationsOmitted).toEqual({ 'senml.not-a-record': 50, 'senml.invalid-name': 1 })
    const few = decodePayload(CF.SENML_JSON, new TextEncoder().encode('[1,{"bn":"/dev1/3/x/","n":"1","v":1}]'), { models: MODELS })
    expect(few.violations.map((v) => v.rule)).toEqual(['senml.not-a-record', 'senml.invalid-name'])
    expect(few.violationsTotal).toBe(2)
    expect(few.violationsOmitted).toBeUndefined()
  })

  it('CBOR readers count past the cap too (LwM2M CBOR with 300 non-preferred keys)', () => {
    const w = new CborWriter()
    w.mapHeader(1)
    w.arrayHeader(2)
    w.int(3)
    w.int(0)
    w.mapHeader(300)
    for (let i = 0; i < 300; i++) {
      w.raw(Uint8Array.of(0x19, i >> 8, i & 0xff)) // key i in 3 bytes: non-preferred below 256
      w.int(1)
    }
    const r = decodePayload(CF.LWM2M_CBOR, w.finish(), {})
    // Keys 0..255 are non-preferred; the map head (300 in two bytes) and keys 256..299 are not.
    expect(r.violations).toHaveLength(100)
    expect(r.violationsTotal).toBe(256)
    expect(r.violationsOmitted).toEqual({ 'cbor.non-preferred': 156 })
    expect(r.records).toHaveLength(300)
  })

  it('under the cap, violationsTotal equals the list length and nothing is omitted', () => {
    for (const [cf, bytes, path] of [
      [CF.TLV, Uint8Array.of(0xc8, 0x00, 0xff, 0x41), [3, 0]],
      [CF.SENML_JSON, new TextEncoder().encode('[{"n":"/3/0/9","v":1}]'), undefined],
      [CF.TEXT, new TextEncoder().encode('x'), [3, 0, 9]],
      [9999, Uint8Array.of(1), undefined]
    ] as const) {
      const r = decodePayload(cf, bytes, path === undefined ? { models: MODELS } : { path, models: MODELS })
      expect(r.violationsTotal).toBe(r.violations.length)
      expect(r.violationsOmitted).toBeUndefined()
    }
  })
})
