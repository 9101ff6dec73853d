// SPDX-License-Identifier: Apache-2.0
// Record protection (RFC 5246 §6.2.3, RFC 6347 §4.1.2.1, RFC 9146 §5, RFC 7366 §3): the CCM_8
// records captured in dtls-facts §4.5 (OpenSSL) and §5.6 (Mbed TLS, CID), the GCM and CBC layouts
// checked by taking records apart with node:crypto directly, round trips for every suite, and
// every wrong key or changed byte ending as 'integrity', never as an exception.
import { createCipheriv, createDecipheriv, createHmac } from 'node:crypto'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { ccmSeal } from '../../../src-main/core/dtls/aes-ccm'
import { CIPHER_SUITES, cipherSuite, type CipherSuite } from '../../../src-main/core/dtls/cipher-suites'
import type { WriteKeys } from '../../../src-main/core/dtls/key-schedule'
import { decodeRecords, DTLS_1_2, encodeRecord, type DtlsRecord } from '../../../src-main/core/dtls/record'
import { createRecordProtection, MAX_PLAINTEXT, type OpenResult } from '../../../src-main/core/dtls/record-protection'
import { ascii, crypto, hex, toHex } from './helpers'

const CCM_8 = cipherSuite(0xc0a8)!
const GCM = cipherSuite(0x00a8)!
const CBC = cipherSuite(0x00ae)!

function keysFor(suite: CipherSuite, seed = 1): WriteKeys {
  const fill = (n: number, k: number) => Uint8Array.from({ length: n }, (_, i) => (i * 7 + k * 13 + seed) & 0xff)
  return { macKey: fill(suite.macKeyLength, 1), key: fill(suite.encKeyLength, 2), iv: fill(suite.fixedIvLength, 3) }
}

function expectOk(r: OpenResult): { type: number; plaintext: Uint8Array } {
  if (!r.ok) throw new Error(`open failed: ${r.failure} ${r.message}`)
  return r
}

describe('AEAD CCM_8 records from real sessions', () => {
  it('dtls-facts §4.5 (OpenSSL client, RFC 6655 §3 nonce and RFC 6347 §4.1.2.1 AAD): opens and seals byte-exactly', () => {
    const keys: WriteKeys = { macKey: new Uint8Array(0), key: hex('2f065b85036e1869275aeacfaa3b7ae8'), iv: hex('68de0bff') }
    const wire = hex('17 fefd 0001 000000000001 001b 0001000000000001 3f9935dfc6831aea4d6925 800916c4747660a3')
    const rp = createRecordProtection(crypto, CCM_8, keys)
    const opened = expectOk(rp.open(decodeRecords(wire).records[0]!))
    expect([opened.type, new TextDecoder().decode(opened.plaintext)]).toEqual([23, 'hello lwm2m'])
    const sealed = rp.seal({ type: 23, version: DTLS_1_2, epoch: 1, sequence: 1 }, ascii('hello lwm2m'))
    expect(toHex(encodeRecord(sealed))).toBe(toHex(wire))
  })

  it('dtls-facts §5.6 (Mbed TLS, RFC 9146 §5.3 AAD with seq_num_placeholder, CID a1b2c3d4): opens and seals byte-exactly', () => {
    const keys: WriteKeys = { macKey: new Uint8Array(0), key: hex('19c21302f3c1b949fa3c7f0a836984a9'), iv: hex('e421bb91') }
    const wire = hex('19 fefd 0001 000000000001 a1b2c3d4 0030 0001000000000001 3165cbc4ee629f8a75d1a1ccf6ef153ce66fd8ed5105a47b7ed84a848810c850 0d4c5ebc06b1adc9')
    const rp = createRecordProtection(crypto, CCM_8, keys)
    const opened = expectOk(rp.open(decodeRecords(wire, { cidLength: 4 }).records[0]!))
    expect(opened.type).toBe(23)
    expect(toHex(opened.plaintext)).toBe('474554202f20485454502f312e300d0a486f0d0a')
    // Mbed TLS padded the 21-byte inner plaintext to 32 (11 zero bytes).
    const sealed = rp.seal({ type: 23, version: DTLS_1_2, epoch: 1, sequence: 1, cid: hex('a1b2c3d4') }, opened.plaintext, 11)
    expect(toHex(encodeRecord(sealed))).toBe(toHex(wire))
  })
})

describe('layouts checked with node:crypto directly', () => {
  const header = { type: 23, version: DTLS_1_2, epoch: 2, sequence: 0x0102030405 }
  const plaintext = ascii('</3/0>;ver=1.2,</1/0>')
  const aad = hex('0002 000102030405 17 fefd') // + uint16(plaintext length)

  it('GCM (RFC 5288 §3): explicit nonce epoch‖seq, salt ‖ explicit as IV, 16-byte tag', () => {
    const keys = keysFor(GCM)
    const r = createRecordProtection(crypto, GCM, keys).seal(header, plaintext)
    expect(toHex(r.fragment.subarray(0, 8))).toBe('0002000102030405')
    const d = createDecipheriv('aes-128-gcm', keys.key, new Uint8Array([...keys.iv, ...r.fragment.subarray(0, 8)]))
    d.setAAD(new Uint8Array([...aad, 0, plaintext.length]))
    d.setAuthTag(r.fragment.subarray(r.fragment.length - 16))
    const pt = Buffer.concat([d.update(r.fragment.subarray(8, r.fragment.length - 16)), d.final()])
    expect(pt.toString()).toBe('</3/0>;ver=1.2,</1/0>')
  })

  it('GCM: a peer\'s non-sequence explicit nonce is read from the record (dtls-facts §4.2, OpenSSL 3.0)', () => {
    const keys = keysFor(GCM)
    const explicit = hex('4b4fec7d4f77b098')
    const c = createCipheriv('aes-128-gcm', keys.key, new Uint8Array([...keys.iv, ...explicit]))
    c.setAAD(new Uint8Array([...aad, 0, plaintext.length]))
    const ct = Buffer.concat([c.update(plaintext), c.final(), c.getAuthTag()])
    const record: DtlsRecord = { ...header, fragment: new Uint8Array([...explicit, ...ct]) }
    expect(new TextDecoder().decode(expectOk(createRecordProtection(crypto, GCM, keys).open(record)).plaintext)).toBe('</3/0>;ver=1.2,</1/0>')
  })

  it('CBC MAC-then-encrypt (RFC 5246 §6.2.3.2): IV ‖ CBC(content ‖ HMAC ‖ padding)', () => {
    const keys = keysFor(CBC)
    const r = createRecordProtection(crypto, CBC, keys).seal(header, plaintext)
    const iv = r.fragment.subarray(0, 16)
    const d = createDecipheriv('aes-128-cbc', keys.key, iv).setAutoPadding(false)
    const data = Buffer.concat([d.update(r.fragment.subarray(16)), d.final()])
    const p = data[data.length - 1]!
    expect(data.subarray(data.length - 1 - p).every((b) => b === p)).toBe(true)
    expect(data.length).toBe(Math.ceil((plaintext.length + 33) / 16) * 16) // minimal padding
    expect(data.subarray(0, plaintext.length).toString()).toBe('</3/0>;ver=1.2,</1/0>')
    const mac = createHmac('sha256', keys.macKey).update(aad).update(new Uint8Array([0, plaintext.length])).update(plaintext).digest()
    expect(toHex(data.subarray(plaintext.length, plaintext.length + 32))).toBe(mac.toString('hex'))
  })

  it('CBC Encrypt-then-MAC (RFC 7366 §3): IV ‖ CBC(content ‖ padding) ‖ HMAC over IV ‖ ciphertext', () => {
    const keys = keysFor(CBC)
    const r = createRecordProtection(crypto, CBC, keys, { encryptThenMac: true }).seal(header, plaintext)
    const body = r.fragment.subarray(0, r.fragment.length - 32)
    const mac = createHmac('sha256', keys.macKey).update(aad).update(new Uint8Array([0, body.length])).update(body).digest()
    expect(toHex(r.fragment.subarray(body.length))).toBe(mac.toString('hex'))
    const d = createDecipheriv('aes-128-cbc', keys.key, body.subarray(0, 16)).setAutoPadding(false)
    expect(Buffer.concat([d.update(body.subarray(16)), d.final()]).subarray(0, plaintext.length).toString()).toBe('</3/0>;ver=1.2,</1/0>')
  })

  it('CBC MtE with a CID (RFC 9146 §5.1): MAC over P ‖ uint16(inner length) ‖ inner plaintext', () => {
    const keys = keysFor(CBC)
    const cid = hex('c0ffee')
    const r = createRecordProtection(crypto, CBC, keys).seal({ ...header, cid }, plaintext, 3)
    expect(r.type).toBe(25)
    const d = createDecipheriv('aes-128-cbc', keys.key, r.fragment.subarray(0, 16)).setAutoPadding(false)
    const data = Buffer.concat([d.update(r.fragment.subarray(16)), d.final()])
    const inner = new Uint8Array([...plaintext, 23, 0, 0, 0])
    const p = hex('ffffffffffffffff 19 03 19 fefd 0002 000102030405 c0ffee')
    const mac = createHmac('sha256', keys.macKey).update(p).update(new Uint8Array([0, inner.length])).update(inner).digest()
    expect(toHex(data.subarray(0, inner.length))).toBe(toHex(inner))
    expect(toHex(data.subarray(inner.length, inner.length + 32))).toBe(mac.toString('hex'))
  })
})

const VARIANTS = [
  ...CIPHER_SUITES.filter((s) => s.keyExchange !== 'ecdhe_psk').map((s) => ({ suite: s, etm: false })),
  { suite: CBC, etm: true }
]
const label = (v: { suite: CipherSuite; etm: boolean }) => `${v.suite.name}${v.etm ? ' (EtM)' : ''}`

describe('round trips and integrity failures, every suite (RFC 6347 §4.1.2.7)', () => {
  for (const v of VARIANTS) {
    it(`${label(v)}: seal → encode → decode → open, with and without CID`, () => {
      fc.assert(
        fc.property(
          fc.uint8Array({ maxLength: 300 }),
          fc.constantFrom(20, 21, 22, 23),
          fc.integer({ min: 1, max: 0xffff }),
          fc.integer({ min: 0, max: 2 ** 48 - 1 }),
          fc.option(fc.uint8Array({ minLength: 1, maxLength: 8 }).map((c) => c), { nil: undefined }),
          fc.nat(40),
          (plaintext, type, epoch, sequence, cid, padding) => {
            const keys = keysFor(v.suite)
            const writer = createRecordProtection(crypto, v.suite, keys, { encryptThenMac: v.etm })
            const reader = createRecordProtection(crypto, v.suite, keys, { encryptThenMac: v.etm })
            const wire = encodeRecord(writer.seal({ type, version: DTLS_1_2, epoch, sequence, ...(cid ? { cid } : {}) }, plaintext, padding))
            const record = decodeRecords(wire, cid ? { cidLength: cid.length } : {}).records[0]!
            const r = expectOk(reader.open(record))
            expect(r.type).toBe(type)
            expect(toHex(r.plaintext)).toBe(toHex(plaintext))
          }
        ),
        { numRuns: 150 }
      )
    })

    it(`${label(v)}: a wrong key, any flipped fragment byte, or any changed header field is 'integrity'`, () => {
      const keys = keysFor(v.suite)
      const rp = createRecordProtection(crypto, v.suite, keys, { encryptThenMac: v.etm })
      for (const cid of [undefined, hex('a1b2c3d4')]) {
        const r = rp.seal({ type: 23, version: DTLS_1_2, epoch: 1, sequence: 7, ...(cid ? { cid } : {}) }, ascii('a CoAP message of some length'))
        const other = createRecordProtection(crypto, v.suite, keysFor(v.suite, 99), { encryptThenMac: v.etm })
        expect(other.open(r)).toMatchObject({ ok: false, failure: 'integrity' })
        for (let i = 0; i < r.fragment.length; i++) {
          const f = r.fragment.slice()
          f[i]! ^= 0x20
          expect(rp.open({ ...r, fragment: f })).toMatchObject({ ok: false, failure: 'integrity' })
        }
        const changes: Partial<DtlsRecord>[] = [{ epoch: 2 }, { sequence: 8 }, { version: 0xfeff }, ...(cid ? [{ cid: hex('a1b2c3d5') }] : [{ type: 22 }])]
        for (const change of changes) expect(rp.open({ ...r, ...change })).toMatchObject({ ok: false, failure: 'integrity' })
      }
    })

    it(`${label(v)}: fragments too short or of the wrong shape are 'malformed', random ones never throw`, () => {
      const rp = createRecordProtection(crypto, v.suite, keysFor(v.suite))
      expect(rp.open({ type: 23, version: DTLS_1_2, epoch: 1, sequence: 0, fragment: new Uint8Array(v.suite.recordIvLength + 1) })).toMatchObject({ ok: false, failure: 'malformed' })
      fc.assert(
        fc.property(fc.uint8Array({ maxLength: 200 }), fc.boolean(), (fragment, withCid) => {
          const r = rp.open({ type: withCid ? 25 : 23, version: DTLS_1_2, epoch: 1, sequence: 0, ...(withCid ? { cid: hex('01') } : {}), fragment })
          expect(r.ok).toBe(false)
        }),
        { numRuns: 300 }
      )
    })
  }
})

describe('limits', () => {
  it('RFC 5246 §6.2.1: sealing more than 2^14 bytes is refused; exactly 2^14 is fine', () => {
    const rp = createRecordProtection(crypto, CCM_8, keysFor(CCM_8))
    const h = { type: 23, version: DTLS_1_2, epoch: 1, sequence: 0 }
    expect(() => rp.seal(h, new Uint8Array(MAX_PLAINTEXT + 1))).toThrow(RangeError)
    expect(rp.seal(h, new Uint8Array(MAX_PLAINTEXT)).fragment.length).toBe(MAX_PLAINTEXT + 16)
  })

  it('RFC 5246 §6.2.1: a peer\'s record with more than 2^14 plaintext bytes is record_overflow', () => {
    const keys = keysFor(CCM_8)
    // Sealed by hand at the CCM layer (our sealer refuses), as a careless peer would.
    const n = MAX_PLAINTEXT + 1
    const explicit = hex('0001000000000000')
    const aad = new Uint8Array([...explicit, 23, 0xfe, 0xfd, n >> 8, n & 0xff])
    const sealed = ccmSeal(crypto.aesEncryptor(keys.key), new Uint8Array([...keys.iv, ...explicit]), aad, new Uint8Array(n), 8)
    const record: DtlsRecord = { type: 23, version: DTLS_1_2, epoch: 1, sequence: 0, fragment: new Uint8Array([...explicit, ...sealed]) }
    expect(createRecordProtection(crypto, CCM_8, keys).open(record)).toMatchObject({ ok: false, failure: 'overflow' })
  })

  it('RFC 9146 §4: an all-zero inner plaintext has no content type', () => {
    const keys = keysFor(CCM_8)
    const rp = createRecordProtection(crypto, CCM_8, keys)
    const r = rp.seal({ type: 23, version: DTLS_1_2, epoch: 1, sequence: 0, cid: hex('01') }, new Uint8Array(0))
    // Re-seal the same record with a zero real type: what a broken peer would send.
    const zero = rp.seal({ type: 0, version: DTLS_1_2, epoch: 1, sequence: 0, cid: hex('01') }, new Uint8Array(0))
    expect(expectOk(rp.open(r)).type).toBe(23)
    expect(rp.open(zero)).toMatchObject({ ok: false, failure: 'malformed' })
  })

  it('keys that do not fit the suite are a programming error', () => {
    expect(() => createRecordProtection(crypto, CCM_8, keysFor(CBC))).toThrow(RangeError)
  })
})
