// SPDX-License-Identifier: Apache-2.0
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { EncodeError, type ContentCodec } from '../../../../src-main/core/lwm2m/codec'
import { CF } from '../../../../src-main/core/lwm2m/content-format'
import { codecFor, decodePayload, encodePayload, registerCodec, registeredFormats } from '../../../../src-main/core/lwm2m/formats/registry'
import type { Path } from '../../../../src-main/core/lwm2m/path'
import { hex, MODELS, toHex } from './test-models'

const ctx = { path: [1, 0, 1] as const, models: MODELS }

describe('C §7.5 content-format dispatch (facts §2.1)', () => {
  it('dispatches TLV, text, opaque and legacy JSON by number', () => {
    expect(decodePayload(CF.TLV, hex('C2 01 0E 10'), ctx)).toEqual({
      records: [{ path: [1, 0, 1], value: { type: 'integer', value: 3600 } }], violations: [], violationsTotal: 0, format: CF.TLV
    })
    expect(decodePayload(CF.TEXT, new TextEncoder().encode('3600'), ctx).records[0]?.value).toEqual({ type: 'integer', value: 3600 })
    expect(decodePayload(CF.OPAQUE, Uint8Array.of(1), { path: [5, 0, 0] }).records[0]?.value).toEqual({ type: 'opaque', value: Uint8Array.of(1) })
    expect(decodePayload(CF.LWM2M_JSON, new TextEncoder().encode('{"bn":"/1/0/1","e":[{"v":3600}]}'), ctx).records[0]?.value).toEqual({ type: 'integer', value: 3600 })
    const records = [{ path: [1, 0, 1] as const, value: { type: 'integer' as const, value: 3600 } }]
    expect(toHex(encodePayload(CF.TLV, records, ctx))).toBe('C2 01 0E 10')
    expect(new TextDecoder().decode(encodePayload(CF.TEXT, records, ctx))).toBe('3600')
  })
  it('maps the pre-IANA numbers 1541-1544 on input and reports the standard one', () => {
    expect(decodePayload(1542, hex('C2 01 0E 10'), ctx).format).toBe(CF.TLV)
    expect(decodePayload(1541, new TextEncoder().encode('3600'), ctx)).toMatchObject({ format: CF.TEXT, violations: [] })
    expect(decodePayload(1543, new TextEncoder().encode('{"e":[]}'), ctx)).toMatchObject({ format: CF.LWM2M_JSON, violations: [] })
    expect(decodePayload(1544, Uint8Array.of(1), { path: [5, 0, 0] }).format).toBe(CF.OPAQUE)
    expect(codecFor(1542)?.format).toBe(CF.TLV)
  })
  it('an unknown format is a violation on decode and an EncodeError on encode', () => {
    expect(decodePayload(9999, Uint8Array.of(1), ctx)).toMatchObject({ records: [], violations: [{ rule: 'format.unknown' }], format: 9999 })
    expect(() => encodePayload(9999, [], ctx)).toThrow(EncodeError)
  })
  it('never throws, whatever the format, bytes and path (20k cases)', () => {
    const formats = [CF.TEXT, CF.OPAQUE, CF.TLV, CF.LWM2M_JSON, 1541, 1542, 1543, 1544, CF.SENML_JSON, 7, -1, 65536]
    const paths: (Path | undefined)[] = [undefined, [], [3], [3, 0], [3, 0, 6], [3, 0, 6, 1], [9000, 1, 300]]
    fc.assert(
      fc.property(fc.constantFrom(...formats), fc.uint8Array({ maxLength: 48 }), fc.constantFrom(...paths), (format, bytes, path) => {
        const r = decodePayload(format, bytes, path ? { path, models: MODELS } : { models: MODELS })
        expect(Array.isArray(r.records) && Array.isArray(r.violations)).toBe(true)
        expect(r.violations.map((v) => v.rule).filter((rule) => rule.endsWith('.internal'))).toEqual([])
      }),
      { numRuns: 20000 }
    )
  })
  it('a known format without a codec yet says so; register() plugs one in', () => {
    const before = decodePayload(CF.CBOR, Uint8Array.of(0x01), ctx)
    expect(before.violations.map((v) => v.rule)).toEqual(['format.unsupported'])
    expect(() => encodePayload(CF.CBOR, [], ctx)).toThrow(/no encoder/)
    const fake: ContentCodec = {
      format: CF.CBOR,
      decode: () => { throw new Error('boom') },
      encode: () => Uint8Array.of(0xf6)
    }
    registerCodec(fake)
    expect(registeredFormats()).toContain(CF.CBOR)
    expect(encodePayload(CF.CBOR, [], ctx)).toEqual(Uint8Array.of(0xf6))
    // A codec that throws on decode becomes a violation, never an exception.
    expect(decodePayload(CF.CBOR, Uint8Array.of(1), ctx).violations.map((v) => v.rule)).toEqual(['format.internal'])
  })
})
