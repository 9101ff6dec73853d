// SPDX-License-Identifier: Apache-2.0
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { EncodeError, type CodecContext } from '../../../../src-main/core/lwm2m/codec'
import { opaqueCodec } from '../../../../src-main/core/lwm2m/formats/opaque'
import type { Path } from '../../../../src-main/core/lwm2m/path'
import { MODELS } from './test-models'

const ctx = (path: Path): CodecContext => ({ path, models: MODELS })
const rules = (r: { violations: { rule: string }[] }) => r.violations.map((v) => v.rule)

describe('C §7.5 Tbl C-2 octet stream: one opaque value at the request path', () => {
  it('decodes the bytes as they are, copied', () => {
    const bytes = Uint8Array.of(0, 1, 2, 255)
    const r = opaqueCodec.decode(bytes, ctx([9000, 0, 15]))
    expect(r).toEqual({ records: [{ path: [9000, 0, 15], value: { type: 'opaque', value: Uint8Array.of(0, 1, 2, 255) } }], violations: [] })
    bytes[0] = 9
    expect((r.records[0]?.value?.value as Uint8Array)[0]).toBe(0)
    expect(opaqueCodec.decode(new Uint8Array(0), ctx([9000, 0, 305, 1])).records[0]?.value).toEqual({ type: 'opaque', value: new Uint8Array(0) })
  })
  it('reports a resource whose model type is not opaque, an unknown resource, and a missing path', () => {
    expect(rules(opaqueCodec.decode(Uint8Array.of(1), ctx([1, 0, 1])))).toEqual(['opaque.type'])
    expect(rules(opaqueCodec.decode(Uint8Array.of(1), ctx([1, 0, 99])))).toEqual(['opaque.unknown-resource'])
    expect(rules(opaqueCodec.decode(Uint8Array.of(1), { path: [5, 0] }))).toEqual(['opaque.path'])
    expect(rules(opaqueCodec.decode(Uint8Array.of(1), { path: [5, 0, 0] }))).toEqual([])
  })
  it('refuses to encode anything but one opaque value', () => {
    const bad = [
      [{ path: [1, 0, 1] as Path, value: { type: 'integer' as const, value: 1 } }],
      [{ path: [9000, 0, 10] as Path, value: { type: 'string' as const, value: 'x' } }],
      [],
      [{ path: [9000, 0, 15] as Path }]
    ]
    for (const records of bad) expect(() => opaqueCodec.encode(records, ctx(records[0]?.path ?? [9000, 0, 15]))).toThrow(EncodeError)
    // A resource typed otherwise by the model refuses an opaque value too.
    expect(() => opaqueCodec.encode([{ path: [1, 0, 1], value: { type: 'opaque', value: Uint8Array.of(1) } }], ctx([1, 0, 1]))).toThrow(/Integer|integer/)
  })
  it('decodes any bytes at any path without throwing (20k cases)', () => {
    const paths: Path[] = [[5, 0, 0], [9000, 0, 15], [1, 0, 1], [3], [9000, 0, 305, 7]]
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 64 }), fc.constantFrom(...paths), (bytes, path) => {
        const r = opaqueCodec.decode(bytes, ctx(path))
        expect(r.records.length).toBe(path.length >= 3 ? 1 : 0)
      }),
      { numRuns: 20000 }
    )
  })
  it('decode(encode(x)) == x (property)', () => {
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 300 }), (value) => {
        const path: Path = [9000, 1, 15]
        const bytes = opaqueCodec.encode([{ path, value: { type: 'opaque', value } }], ctx(path))
        expect(bytes).toEqual(value)
        expect(opaqueCodec.decode(bytes, ctx(path))).toEqual({ records: [{ path, value: { type: 'opaque', value } }], violations: [] })
      })
    )
  })
})
