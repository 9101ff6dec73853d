// SPDX-License-Identifier: Apache-2.0
// Hello extensions (RFC 5246 §7.4.1.4 and the extension RFCs): typed views, duplicates, legacy CID
// code points, round trips and totality.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  decodeExtensionList, describeExtension, encodeExtensionList, ExtensionType, helloExtensionList, readHelloExtensions, type HelloExtensions, type HelloSide
} from '../../../src-main/core/dtls/extensions'
import { ViolationList } from '../../../src-main/core/violation'
import { hex, toHex } from './helpers'

function view(block: string, side: HelloSide = 'client') {
  const v = new ViolationList()
  const list = decodeExtensionList(hex(block), v)
  const ext = readHelloExtensions(list, side, v)
  return { list, ext, violations: v.items.map((x) => [x.rule, x.offset]) }
}

function plain(x: unknown): unknown {
  return JSON.parse(JSON.stringify(x, (_k, v: unknown) => (v instanceof Uint8Array ? toHex(v) : v)))
}

describe('hello extensions: examples', () => {
  it('OpenSSL 3.0 ClientHello extensions (groups, point formats, EMS, ETM, signature_algorithms)', () => {
    const { ext, violations } = view('000b000403000102 000a000c000a001d0017001e00190018 00230000 00160000 00170000 000d0006000404030804')
    expect(violations).toEqual([])
    expect(plain(ext)).toEqual({
      ecPointFormats: [0, 1, 2], supportedGroups: [29, 23, 30, 25, 24], encryptThenMac: true, extendedMasterSecret: true, signatureAlgorithms: [0x0403, 0x0804]
    })
  })

  it('RFC 9146 §3 connection_id (54), RFC 8449 §4 record_size_limit, RFC 5746 §3.2 empty renegotiation_info', () => {
    const { ext, violations } = view('0036 0004 03c0ffee 001c 0002 4000 ff01 0001 00')
    expect(violations).toEqual([])
    expect(plain(ext)).toEqual({ connectionId: 'c0ffee', recordSizeLimit: 16384, renegotiationInfo: '' })
  })

  it('RFC 7250 §3: certificate types are a list in a ClientHello and one byte in a ServerHello', () => {
    expect(view('0013 0002 01 02', 'client').ext.clientCertificateTypes).toEqual([2])
    expect(view('0014 0001 02', 'server').ext.serverCertificateTypes).toEqual([2])
  })

  it('RFC 5246 §7.4.1.4: an extension type twice is a violation; the first one counts', () => {
    const { list, ext, violations } = view('001c 0002 4000 001c 0002 0100')
    expect(violations).toEqual([['dtls.extension-duplicate', 6]])
    expect(list).toHaveLength(1)
    expect(ext.recordSizeLimit).toBe(16384)
    expect(() => encodeExtensionList([{ type: 23, data: new Uint8Array(0) }, { type: 23, data: new Uint8Array(0) }])).toThrow(RangeError)
  })

  it('RFC 9146 §3: the pre-standard CID code points 53 and 254 are recognised, not negotiated', () => {
    const { ext, violations } = view('0035 0002 01aa 00fe 0002 01bb')
    expect(violations).toEqual([['dtls.extension-legacy-cid', 0], ['dtls.extension-legacy-cid', 6]])
    expect(ext.legacyConnectionId).toEqual([53, 254])
    expect(ext.connectionId).toBeUndefined()
    expect(describeExtension(ExtensionType.connectionIdDraft)).toContain('deprecated')
  })

  it('bad bodies: non-empty EMS (RFC 7627 §5.1), record_size_limit < 64 (RFC 8449 §4), odd group list', () => {
    expect(view('0017 0001 00').violations).toEqual([['dtls.extension-body', 4]])
    expect(view('001c 0002 003f').violations).toEqual([['dtls.extension-body', 4]])
    expect(view('000a 0003 0001 17').violations).toEqual([['dtls.extension-body', 4]])
    expect(view('0017 0005 00').violations).toEqual([['dtls.handshake-vector-overrun', 2]])
  })
})

const u16 = fc.integer({ min: 0, max: 0xffff })
const u8 = fc.integer({ min: 0, max: 255 })
const helloView = (side: HelloSide): fc.Arbitrary<HelloExtensions> => fc.record({
  supportedGroups: fc.array(u16, { minLength: 1, maxLength: 8 }),
  ecPointFormats: fc.array(u8, { minLength: 1, maxLength: 3 }),
  signatureAlgorithms: fc.array(u16, { minLength: 1, maxLength: 8 }),
  clientCertificateTypes: fc.array(u8, side === 'client' ? { minLength: 1, maxLength: 3 } : { minLength: 1, maxLength: 1 }),
  serverCertificateTypes: fc.array(u8, side === 'client' ? { minLength: 1, maxLength: 3 } : { minLength: 1, maxLength: 1 }),
  encryptThenMac: fc.constant(true as const),
  extendedMasterSecret: fc.constant(true as const),
  recordSizeLimit: fc.integer({ min: 64, max: 0xffff }),
  connectionId: fc.uint8Array({ maxLength: 255 }),
  renegotiationInfo: fc.uint8Array({ maxLength: 24 })
}, { requiredKeys: [] })

describe('hello extensions: properties', () => {
  for (const side of ['client', 'server'] as const) {
    it(`${side} hello: the typed view survives encode → decode without violations`, () => {
      fc.assert(fc.property(helloView(side), (x) => {
        const block = encodeExtensionList(helloExtensionList(x, side))
        const v = new ViolationList()
        const back = readHelloExtensions(decodeExtensionList(block.subarray(2), v, 2), side, v)
        expect(v.items).toEqual([])
        expect(plain(back)).toEqual(plain(x))
      }), { numRuns: 500 })
    })
  }

  it('fuzz: random and mutated extension blocks never throw', () => {
    const valid = helloView('client').map((x) => encodeExtensionList(helloExtensionList(x, 'client')).subarray(2))
    fc.assert(fc.property(fc.oneof(fc.uint8Array({ maxLength: 80 }), valid), fc.nat(), u8, (b, i, x) => {
      const m = b.slice()
      if (m.length > 0) m[i % m.length] = x
      for (const side of ['client', 'server'] as const) {
        const v = new ViolationList()
        readHelloExtensions(decodeExtensionList(m, v), side, v)
        for (const e of v.items) if (e.offset < 0 || e.offset > m.length) throw new Error(`offset ${e.offset}`)
      }
    }), { numRuns: 5000 })
  })
})
