// SPDX-License-Identifier: Apache-2.0
// Encoding EF LwM2M_Bootstrap (C App. G, letters per 1.1.1, unverified for 1.2; facts §4.1): the
// facts' worked example, a stored configuration, and round trips through decodeCardFile.
import { describe, expect, it } from 'vitest'
import fc from 'fast-check'
import { decodeCardFile } from '../../../../src-main/core/lwm2m/bootstrap/card-file'
import { cardObjectsFromConfig, encodeCardFile, encodeConfigCardFile } from '../../../../src-main/core/lwm2m/bootstrap/card-file-encoder'
import type { BootstrapConfig } from '../../../../src-main/core/lwm2m/bootstrap/config'
import type { Lwm2mRecord } from '../../../../src-main/core/lwm2m/record'

const hex = (s: string): Uint8Array => new Uint8Array((s.replace(/[^0-9a-fA-F]/g, '').match(/../g) ?? []).map((b) => parseInt(b, 16)))
const ascii = (s: string): string => [...new TextEncoder().encode(s)].map((b) => b.toString(16).padStart(2, '0')).join('')
const toHex = (b: Uint8Array) => Array.from(b, (x) => x.toString(16).padStart(2, '0')).join('')

const URI = 'coap://leshan.eclipseprojects.io:5783'
const NORDIC = hex(`0001 0036 | 0000 00 0031 | 08 00 2E | C8 00 25 ${ascii(URI)} | C1 01 01 | C1 02 03`)

const base: BootstrapConfig = {
  endpoint: 'card-dev',
  discoverFirst: false,
  deletePaths: [],
  security: [],
  servers: [],
  contentFormat: 'auto',
  allowPack: true
}

describe('EF LwM2M_Bootstrap encoder (App. G)', () => {
  it('gives the facts worked example byte for byte from its records', () => {
    const records: Lwm2mRecord[] = [
      { path: [0, 0, 0], value: { type: 'string', value: URI } },
      { path: [0, 0, 1], value: { type: 'boolean', value: true } },
      { path: [0, 0, 2], value: { type: 'integer', value: 3 } }
    ]
    expect(toHex(encodeCardFile([{ objectId: 0, version: null, records }]))).toBe(toHex(NORDIC))
  })

  it('gives the worked example from a stored configuration with one NoSec Bootstrap-Server account', () => {
    const config: BootstrapConfig = { ...base, security: [{ instanceId: 0, uri: URI, bootstrapServer: true, securityMode: 3 }] }
    expect(toHex(encodeConfigCardFile(config))).toBe(toHex(NORDIC))
  })

  it('a PSK server account, its /1 instance and an ACL: header counts, versions, TLV round trip', () => {
    const config: BootstrapConfig = {
      ...base,
      security: [{ instanceId: 1, uri: 'coaps://127.0.0.1:5684', bootstrapServer: false, securityMode: 0, publicKeyOrIdentity: 'card-dev', identityEncoding: 'text', secretKey: '00112233445566778899aabbccddeeff', shortServerId: 101 }],
      servers: [{ instanceId: 0, shortServerId: 101, lifetime: 300, notificationStoring: true, binding: 'U' }],
      otherRecords: [{ path: '/2/0/0', type: 'integer', value: 1 }]
    }
    const bytes = encodeConfigCardFile(config, { versions: { 0: '1.2', 1: '1.2' } })
    const numObjects = (bytes[0]! << 8) | bytes[1]!
    const total = (bytes[2]! << 8) | bytes[3]!
    expect(numObjects).toBe(3)
    expect(total).toBe(bytes.length - 4)
    const d = decodeCardFile(bytes)
    expect(d.violations).toEqual([])
    expect(d.objects.map((o) => [o.objectId, o.version])).toEqual([[0, '1.2'], [1, '1.2'], [2, null]])
    expect(d.records.find((r) => r.path.join('/') === '0/1/0')?.value).toEqual({ type: 'opaque', value: new TextEncoder().encode('coaps://127.0.0.1:5684') })
    expect(d.records.find((r) => r.path.join('/') === '0/1/5')?.value).toMatchObject({ type: 'opaque', value: hex('00112233445566778899aabbccddeeff') })
    expect(d.records.filter((r) => r.path[0] === 1).map((r) => r.path.join('/'))).toEqual(['1/0/0', '1/0/1', '1/0/6', '1/0/7'])
  })

  it('FF padding after the data decodes the same', () => {
    const padded = new Uint8Array(NORDIC.length + 100).fill(0xff)
    padded.set(NORDIC)
    expect(decodeCardFile(padded).violations).toEqual([])
  })

  it('refuses what the layout cannot hold', () => {
    expect(() => encodeCardFile([{ objectId: 65535, version: null, records: [] }])).toThrow(RangeError)
    expect(() => encodeCardFile([{ objectId: 0, version: '0.1', records: [] }])).toThrow(/MAJOR/)
    const big: Lwm2mRecord = { path: [3, 0, 0], value: { type: 'string' as const, value: 'x'.repeat(70_000) } }
    expect(() => encodeCardFile([{ objectId: 3, version: null, records: [big] }])).toThrow(/65535/)
  })

  it('round trip: any configured integers, strings and versions come back (fuzz)', () => {
    fc.assert(
      fc.property(
        fc.uniqueArray(fc.integer({ min: 0, max: 65534 }), { minLength: 1, maxLength: 4 }),
        fc.array(fc.tuple(fc.integer({ min: 0, max: 3 }), fc.integer({ min: 0, max: 300 }), fc.oneof(fc.integer({ min: -1e9, max: 1e9 }), fc.string({ maxLength: 40 }))), { minLength: 1, maxLength: 10 }),
        fc.option(fc.tuple(fc.integer({ min: 1, max: 255 }), fc.integer({ min: 0, max: 255 }))),
        (ids, res, ver) => {
          const objects = ids.map((objectId) => {
            const seen = new Set<string>()
            const records: Lwm2mRecord[] = []
            for (const [i, r, v] of res) {
              if (seen.has(`${i}/${r}`)) continue
              seen.add(`${i}/${r}`)
              records.push({ path: [objectId, i, r], value: typeof v === 'number' ? { type: 'integer', value: v } : { type: 'string', value: v } })
            }
            return { objectId, version: ver ? `${ver[0]}.${ver[1]}` : null, records }
          })
          const bytes = encodeCardFile(objects)
          const d = decodeCardFile(bytes)
          expect(d.violations).toEqual([])
          expect(d.objects.map((o) => o.objectId)).toEqual(ids)
          expect(d.records.length).toBe(objects.reduce((n, o) => n + o.records.length, 0))
        }
      ),
      { numRuns: 500 }
    )
  })

  it('orders objects by id whatever the configuration order', () => {
    const config: BootstrapConfig = { ...base, otherRecords: [{ path: '/21/0/0', type: 'opaque', value: '0011' }], security: [{ instanceId: 0, uri: URI, bootstrapServer: true, securityMode: 3 }] }
    expect(cardObjectsFromConfig(config).map((o) => o.objectId)).toEqual([0, 21])
  })
})
