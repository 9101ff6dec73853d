// SPDX-License-Identifier: Apache-2.0
// Payloads written by an independent encoder (cbor-x) decode to the records they describe: the
// strict decoders must not depend on our own writer's habits (cbor-x writes other length forms).
import { Encoder } from 'cbor-x'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { lwm2mCborCodec } from '../../../../src-main/core/lwm2m/formats/lwm2m-cbor'
import { senmlCborCodec } from '../../../../src-main/core/lwm2m/formats/senml-cbor'
import { isWarningRule } from '../../../../src-main/core/lwm2m/formats/warnings'
import type { Lwm2mRecord } from '../../../../src-main/core/lwm2m/record'

// Plain CBOR maps: cbor-x would otherwise wrap Maps in its tag 259.
const cborx = new Encoder({ useTag259ForMaps: false, useRecords: false } as ConstructorParameters<typeof Encoder>[0])
const cborxEncode = (v: unknown): Uint8Array => cborx.encode(v)

const leaf = fc.oneof(
  fc.integer({ min: -1e9, max: 1e9 }).map((v) => ({ wire: v as unknown, value: { type: 'integer' as const, value: v } })),
  fc.string({ maxLength: 40 }).map((v) => ({ wire: v as unknown, value: { type: 'string' as const, value: v } })),
  fc.boolean().map((v) => ({ wire: v as unknown, value: { type: 'boolean' as const, value: v } }))
)
const entries = fc.uniqueArray(fc.record({ i: fc.nat(300), r: fc.nat(70000 - 1).map((r) => r % 65535), leaf }), {
  minLength: 1,
  maxLength: 30,
  selector: (e) => `${e.i}/${e.r}`
})

describe('decoding what cbor-x encodes', () => {
  it('SenML CBOR packs (array of maps with negative and text labels)', () => {
    fc.assert(
      fc.property(entries, fc.boolean(), (list, useBase) => {
        const pack = list.map((e) =>
          useBase
            ? new Map<unknown, unknown>([[-2, `/9/${e.i}/`], [0, String(e.r)], [e.leaf.value.type === 'string' ? 3 : e.leaf.value.type === 'boolean' ? 4 : 2, e.leaf.wire]])
            : new Map<unknown, unknown>([[0, `/9/${e.i}/${e.r}`], [e.leaf.value.type === 'string' ? 3 : e.leaf.value.type === 'boolean' ? 4 : 2, e.leaf.wire]])
        )
        const r = senmlCborCodec.decode(cborxEncode(pack), {})
        expect(r.violations.filter((v) => !isWarningRule(v.rule))).toEqual([])
        expect(r.records).toEqual(list.map((e): Lwm2mRecord => ({ path: [9, e.i, e.r], value: e.leaf.value })))
      }),
      { numRuns: 500 }
    )
  })
  it('LwM2M CBOR nested maps and key arrays', () => {
    fc.assert(
      fc.property(entries, (list) => {
        const byInstance = new Map<number, Map<number, unknown>>()
        for (const e of list) {
          const inner = byInstance.get(e.i) ?? new Map<number, unknown>()
          inner.set(e.r, e.leaf.wire)
          byInstance.set(e.i, inner)
        }
        // {9: {i: {r: value}}} with alternating key styles: [9, i] arrays for even instances.
        const top = new Map<unknown, unknown>()
        const nested = new Map<unknown, unknown>()
        for (const [i, inner] of byInstance) {
          if (i % 2 === 0) top.set([9, i], inner)
          else nested.set(i, inner)
        }
        if (nested.size > 0) top.set(9, nested)
        const r = lwm2mCborCodec.decode(cborxEncode(top), {})
        expect(r.violations.filter((v) => !isWarningRule(v.rule))).toEqual([])
        // Every entry comes back once, whichever key style carried it; order follows the maps.
        const byPath = (a: Lwm2mRecord, b: Lwm2mRecord) => a.path.join('/').localeCompare(b.path.join('/'))
        const expected = list.map((e): Lwm2mRecord => ({ path: [9, e.i, e.r], value: e.leaf.value }))
        expect([...r.records].sort(byPath)).toEqual(expected.sort(byPath))
      }),
      { numRuns: 500 }
    )
  })
})
