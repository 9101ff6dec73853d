// EF LwM2M_Bootstrap (C App. G, facts §4.1): the smartcard bootstrap file, decoded totally.
import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { readFileSync } from 'node:fs'
import { fileURLToPath } from 'node:url'
import { decodeCardFile } from '../../../../src-main/core/lwm2m/bootstrap/card-file'
import { encodePayload } from '../../../../src-main/core/lwm2m/formats/registry'
import { CF } from '../../../../src-main/core/lwm2m/content-format'
import type { ObjectModel } from '../../../../src-main/core/lwm2m/model'
import { ModelRegistry } from '../../../../src-main/core/lwm2m/model/model-registry'
import type { Lwm2mRecord } from '../../../../src-main/core/lwm2m/record'

const models = new ModelRegistry()
for (const m of JSON.parse(readFileSync(fileURLToPath(new URL('../../../../resources/models/models.json', import.meta.url)), 'utf8')) as ObjectModel[])
  models.add(m, 'shipped')

const hex = (s: string): Uint8Array => new Uint8Array((s.replace(/[^0-9a-fA-F]/g, '').match(/../g) ?? []).map((b) => parseInt(b, 16)))
const ascii = (s: string): string => [...new TextEncoder().encode(s)].map((b) => b.toString(16).padStart(2, '0')).join('')

// facts §4.1 worked example (Nordic sdk-nrf test vector): one /0 instance, then FF FF padding.
const URI = 'coap://leshan.eclipseprojects.io:5783'
const NORDIC = hex(`0001 0036 | 0000 00 0031 | 08 00 2E | C8 00 25 ${ascii(URI)} | C1 01 01 | C1 02 03 | FF FF`)

/** One object entry: id, version bytes ('' = implicit 00, 'MMmm' = 2 bytes), TLV of `records`. */
function entry(objectId: number, version: string, records: Lwm2mRecord[]): Uint8Array {
  const tlv = encodePayload(CF.TLV, records, { path: [objectId], models })
  return hex(`${objectId.toString(16).padStart(4, '0')} ${version === '' ? '00' : version} ${tlv.length.toString(16).padStart(4, '0')} ${[...tlv].map((b) => b.toString(16).padStart(2, '0')).join('')}`)
}
function file(entries: Uint8Array[], opts: { num?: number; total?: number; padding?: number } = {}): Uint8Array {
  const size = entries.reduce((n, e) => n + e.length, 0)
  const out = new Uint8Array(4 + size + (opts.padding ?? 0)).fill(0xff)
  const num = opts.num ?? entries.length
  const total = opts.total ?? size
  out.set([num >> 8, num & 0xff, total >> 8, total & 0xff])
  let at = 4
  for (const e of entries) {
    out.set(e, at)
    at += e.length
  }
  return out
}
const rules = (bytes: Uint8Array): string[] => decodeCardFile(bytes, models).violations.map((v) => v.rule)

const security: Lwm2mRecord[] = [
  { path: [0, 1, 0], value: { type: 'string', value: 'coaps://lwm2m.example.com:5684' } },
  { path: [0, 1, 1], value: { type: 'boolean', value: false } },
  { path: [0, 1, 2], value: { type: 'integer', value: 0 } },
  { path: [0, 1, 3], value: { type: 'opaque', value: new TextEncoder().encode('dev1') } },
  { path: [0, 1, 5], value: { type: 'opaque', value: hex('000102030405060708090a0b0c0d0e0f') } },
  { path: [0, 1, 10], value: { type: 'integer', value: 101 } }
]
const server: Lwm2mRecord[] = [
  { path: [1, 0, 0], value: { type: 'integer', value: 101 } },
  { path: [1, 0, 1], value: { type: 'integer', value: 43200 } },
  { path: [1, 0, 6], value: { type: 'boolean', value: true } },
  { path: [1, 0, 7], value: { type: 'string', value: 'U' } }
]

describe('decodeCardFile: facts §4.1 Nordic vector (LwM2M-BOOT-PROV-01, smart card)', () => {
  it('one object, 54 bytes, /0 v(implicit), 49 bytes TLV: instance 0 {URI, Bootstrap-Server true, NoSec}', () => {
    const r = decodeCardFile(NORDIC, models)
    expect(r.violations).toEqual([])
    expect(r.objects).toEqual([{ objectId: 0, version: null, length: 49, offset: 4 }])
    expect(r.records).toEqual([
      { path: [0, 0, 0], value: { type: 'string', value: URI } },
      { path: [0, 0, 1], value: { type: 'boolean', value: true } },
      { path: [0, 0, 2], value: { type: 'integer', value: 3 } }
    ])
  })
  it('without models the values stay opaque, and nothing is flagged', () => {
    const r = decodeCardFile(NORDIC)
    expect(r.violations).toEqual([])
    expect(r.records[1]).toEqual({ path: [0, 0, 1], value: { type: 'opaque', value: new Uint8Array([1]) } })
  })
  it('is the same with the padding cut off or longer', () => {
    const bare = NORDIC.subarray(0, NORDIC.length - 2)
    expect(decodeCardFile(bare, models)).toEqual(decodeCardFile(NORDIC, models))
    const long = new Uint8Array(NORDIC.length + 200).fill(0xff)
    long.set(NORDIC)
    expect(decodeCardFile(long, models)).toEqual(decodeCardFile(NORDIC, models))
  })
})

describe('decodeCardFile: hand-built files (ETS 1.1-int-3: an account with lifetime 43200)', () => {
  it('/0 and /1 with an explicit object version MAJOR MINOR', () => {
    const bytes = file([entry(0, '0102', security), entry(1, '', server)], { padding: 7 })
    const r = decodeCardFile(bytes, models)
    expect(r.violations).toEqual([])
    expect(r.objects.map((o) => [o.objectId, o.version])).toEqual([[0, '1.2'], [1, null]])
    expect(r.records).toEqual([...security, ...server])
  })
  it('the entry version picks the model: /1 v1.0 has no resource 23, v1.2 has', () => {
    const mute: Lwm2mRecord[] = [{ path: [1, 0, 23], value: { type: 'boolean', value: true } }]
    expect(rules(file([entry(1, '0102', mute)]))).toEqual([])
    expect(rules(file([entry(1, '0100', mute)]))).toEqual(['tlv.unknown-resource'])
  })
  it('a last value ending in 0xFF is data, not padding', () => {
    const recs: Lwm2mRecord[] = [{ path: [1, 0, 1], value: { type: 'integer', value: 255 } }]
    const bytes = file([entry(1, '', recs)])
    expect(bytes.at(-1)).toBe(0xff)
    expect(decodeCardFile(bytes, models)).toMatchObject({ records: recs, violations: [] })
  })
  it('an object with no instances (length 0) is fine', () => {
    const r = decodeCardFile(file([hex('0002 00 0000')]), models)
    expect(r.violations).toEqual([])
    expect(r.objects).toEqual([{ objectId: 2, version: null, length: 0, offset: 4 }])
  })
  it('an empty file of padding has no objects and nothing wrong', () => {
    expect(decodeCardFile(hex('0000 0000 FFFF FFFF'), models)).toEqual({ records: [], objects: [], violations: [] })
  })
})

describe('decodeCardFile: violations', () => {
  it('a header shorter than 4 bytes', () => {
    expect(rules(hex('00 01 00'))).toEqual(['card.header-truncated'])
    expect(rules(new Uint8Array(0))).toEqual(['card.header-truncated'])
  })
  it('num_objects and total_size that disagree with the entries', () => {
    const one = entry(1, '', server)
    expect(rules(file([one], { num: 2 }))).toEqual(['card.num-objects'])
    expect(rules(file([one], { total: one.length - 1 }))).toEqual(['card.total-size'])
    expect(rules(file([one, entry(0, '', security)], { num: 1 }))).toEqual(['card.num-objects'])
    const r = decodeCardFile(file([one], { total: one.length + 10 }), models)
    expect(r.violations.map((v) => [v.rule, v.offset])).toEqual([['card.truncated', 2]])
    expect(r.records).toEqual(server)
  })
  it('a truncated object entry: what is there is still decoded', () => {
    const cut = NORDIC.subarray(0, 30)
    const r = decodeCardFile(cut, models)
    expect(r.violations.map((v) => v.rule)).toEqual(['card.truncated', 'card.object-truncated', 'tlv.length-overrun'])
    expect(r.objects).toEqual([{ objectId: 0, version: null, length: 49, offset: 4 }])
    expect(rules(NORDIC.subarray(0, 7))).toEqual(['card.truncated', 'card.object-truncated'])
  })
  it('TLV problems carry file offsets', () => {
    // Boolean byte 2 at the Bootstrap-Server resource: C1 01 02.
    const bad = NORDIC.slice()
    const at = NORDIC.length - 2 - 3 - 1
    expect(bad[at]).toBe(1)
    bad[at] = 2
    const r = decodeCardFile(bad, models)
    expect(r.violations.map((v) => [v.rule, v.offset])).toEqual([['tlv.value-type', at]])
    expect(r.violations[0]?.message).toMatch(/^object 0, TLV at byte 9/)
  })
  it('bytes after the last object that are not 0xFF padding', () => {
    const bytes = new Uint8Array([...NORDIC.subarray(0, NORDIC.length - 2), 0x00, 0x12, 0xff])
    const r = decodeCardFile(bytes, models)
    expect(r.violations.map((v) => [v.rule, v.offset])).toEqual([['card.trailing-bytes', NORDIC.length - 2]])
  })
  it('a reserved object id 65535 and a repeated object', () => {
    expect(rules(file([hex('FFFF 00 0000'), hex('0003 00 0000')]))).toEqual(['card.object-id'])
    expect(rules(file([entry(1, '', server), entry(1, '', server)]))).toEqual(['card.duplicate-object'])
  })
})

describe('decodeCardFile is total', () => {
  const check = (bytes: Uint8Array): void => {
    const r = decodeCardFile(bytes, models)
    for (const v of r.violations) {
      expect(v.offset).toBeGreaterThanOrEqual(0)
      expect(v.offset).toBeLessThanOrEqual(bytes.length)
    }
  }
  it('never throws on random bytes', () => {
    fc.assert(fc.property(fc.uint8Array({ maxLength: 400 }), check), { numRuns: 2000 })
  })
  it('never throws on mutations of the Nordic vector', () => {
    fc.assert(
      fc.property(fc.array(fc.tuple(fc.nat(NORDIC.length - 1), fc.integer({ min: 0, max: 255 })), { maxLength: 6 }), fc.nat(NORDIC.length), (edits, cut) => {
        const b = NORDIC.slice()
        for (const [i, x] of edits) b[i] = x
        check(b.subarray(0, cut))
      }),
      { numRuns: 2000 }
    )
  })
  it('decodes what it was given back, for random /1 accounts', () => {
    fc.assert(
      fc.property(fc.uniqueArray(fc.integer({ min: 0, max: 300 }), { maxLength: 4 }), fc.integer({ min: 1, max: 65534 }), fc.integer({ min: 0, max: 2 ** 31 - 1 }), (iids, ssid, lifetime) => {
        const recs: Lwm2mRecord[] = [...iids].sort((a, b) => a - b).flatMap((i) => [
          { path: [1, i, 0], value: { type: 'integer', value: ssid } },
          { path: [1, i, 1], value: { type: 'integer', value: lifetime } }
        ] as Lwm2mRecord[])
        const r = decodeCardFile(file([entry(1, '0102', recs)], { padding: 3 }), models)
        expect(r.violations).toEqual([])
        expect(r.records).toEqual(recs)
      })
    )
  })
})
