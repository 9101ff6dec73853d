// SPDX-License-Identifier: Apache-2.0
// Handshake message bodies (RFC 6347 §4.2.1, RFC 5246 §7.4, RFC 4279 §2, RFC 5489 §2): examples,
// violations, round trips of every message and decoders that never throw on random or mutated bytes.
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import {
  decodeClientHello, decodeEcdhePskClientKeyExchange, decodeEcdhePskServerKeyExchange, decodeFinished, decodeHelloVerifyRequest,
  decodePskClientKeyExchange, decodePskServerKeyExchange, decodeServerHello, decodeServerHelloDone, encodeClientHello,
  encodeEcdhePskClientKeyExchange, encodeEcdhePskServerKeyExchange, encodeFinished, encodeHelloVerifyRequest,
  encodePskClientKeyExchange, encodePskServerKeyExchange, encodeServerHello, encodeServerHelloDone, type ClientHello, type ServerHello
} from '../../../src-main/core/dtls/handshake-messages'
import { hex, toHex } from './helpers'

const bytes = (min: number, max: number) => fc.uint8Array({ minLength: min, maxLength: max })
const u16 = fc.integer({ min: 0, max: 0xffff })
const extensions = fc.uniqueArray(fc.record({ type: u16, data: bytes(0, 20) }), { selector: (e) => e.type, maxLength: 6 })

const clientHello: fc.Arbitrary<ClientHello> = fc.record({
  clientVersion: u16,
  random: bytes(32, 32),
  sessionId: bytes(0, 32),
  cookie: bytes(0, 255),
  cipherSuites: fc.array(u16, { minLength: 1, maxLength: 30 }),
  compressionMethods: fc.array(fc.integer({ min: 0, max: 255 }), { maxLength: 4 }).map((m) => [0, ...m]),
  extensions: extensions
}, { requiredKeys: ['clientVersion', 'random', 'sessionId', 'cookie', 'cipherSuites', 'compressionMethods'] })

const serverHello: fc.Arbitrary<ServerHello> = fc.record({
  serverVersion: u16,
  random: bytes(32, 32),
  sessionId: bytes(0, 32),
  cipherSuite: u16,
  compressionMethod: fc.constant(0),
  extensions: extensions
}, { requiredKeys: ['serverVersion', 'random', 'sessionId', 'cipherSuite', 'compressionMethod'] })

/** Each message: an arbitrary value, its encoder and decoder. */
const CODECS = [
  ['ClientHello (RFC 6347 §4.2.1)', clientHello, encodeClientHello, decodeClientHello],
  ['HelloVerifyRequest (RFC 6347 §4.2.1)', fc.record({ serverVersion: u16, cookie: bytes(0, 255) }), encodeHelloVerifyRequest, decodeHelloVerifyRequest],
  ['ServerHello (RFC 5246 §7.4.1.3)', serverHello, encodeServerHello, decodeServerHello],
  ['PSK ServerKeyExchange (RFC 4279 §2)', fc.record({ identityHint: bytes(0, 300) }), encodePskServerKeyExchange, decodePskServerKeyExchange],
  ['ECDHE_PSK ServerKeyExchange (RFC 5489 §2)', fc.record({ identityHint: bytes(0, 40), namedCurve: u16, publicPoint: bytes(1, 255) }),
    encodeEcdhePskServerKeyExchange, decodeEcdhePskServerKeyExchange],
  ['PSK ClientKeyExchange (RFC 4279 §2)', fc.record({ identity: bytes(0, 300) }), encodePskClientKeyExchange, decodePskClientKeyExchange],
  ['ECDHE_PSK ClientKeyExchange (RFC 5489 §2)', fc.record({ identity: bytes(0, 40), publicPoint: bytes(1, 255) }),
    encodeEcdhePskClientKeyExchange, decodeEcdhePskClientKeyExchange],
  ['ServerHelloDone (RFC 5246 §7.4.5)', fc.constant({}), encodeServerHelloDone, decodeServerHelloDone],
  ['Finished (RFC 5246 §7.4.9)', fc.record({ verifyData: bytes(12, 12) }), encodeFinished, decodeFinished]
] as const

const DECODERS: readonly ((b: Uint8Array) => { message: unknown, violations: readonly { offset: number }[] })[] = CODECS.map((c) => c[3])

function plain(x: unknown): unknown {
  return JSON.parse(JSON.stringify(x, (_k, v: unknown) => (v instanceof Uint8Array ? toHex(v) : v)))
}

describe('handshake messages: examples', () => {
  it('RFC 6347 §4.2.1: a ClientHello with cookie, two suites, null compression and EMS', () => {
    const body = hex('fefd' + '11'.repeat(32) + '00' + '03 aabbcc' + '0004 c0a8 00ff' + '01 00' + '0004 0017 0000')
    const { message, violations } = decodeClientHello(body)
    expect(violations).toEqual([])
    expect(plain(message)).toEqual({
      clientVersion: 0xfefd, random: '11'.repeat(32), sessionId: '', cookie: 'aabbcc', cipherSuites: [0xc0a8, 0xff], compressionMethods: [0],
      extensions: [{ type: 23, data: '' }]
    })
    expect(toHex(encodeClientHello(message!))).toBe(toHex(body))
  })

  it('RFC 5246 §7.4.1.2: a ClientHello may end after compression_methods (no extensions block)', () => {
    const body = hex('fefd' + '22'.repeat(32) + '00 00 0002 c0a8 01 00')
    const { message, violations } = decodeClientHello(body)
    expect(violations).toEqual([])
    expect(message?.extensions).toBeUndefined()
    expect(toHex(encodeClientHello(message!))).toBe(toHex(body))
  })

  it('ClientHello violations: no null compression, odd cipher_suites, long session_id, trailing bytes', () => {
    const rules = (s: string) => decodeClientHello(hex(s)).violations.map((v) => [v.rule, v.offset])
    const head = 'fefd' + '00'.repeat(32)
    expect(rules(head + '00 00 0002 c0a8 01 01')).toEqual([['dtls.hello-no-null-compression', 40]])
    expect(rules(head + '00 00 0003 c0a800 01 00')).toEqual([['dtls.hello-cipher-suites-length', 36]])
    expect(rules(head + '21' + '00'.repeat(33) + '00 0002 c0a8 01 00')).toEqual([['dtls.hello-session-id-length', 34]])
    expect(rules(head + '00 00 0002 c0a8 01 00 0000 ff')).toEqual([['dtls.handshake-trailing-bytes', 44]])
    expect(decodeClientHello(hex(head + '00 05 aa')).message).toBeUndefined()
    expect(rules(head + '00 05 aa')).toEqual([['dtls.handshake-vector-overrun', 35]])
  })

  it('RFC 4279 §2 / RFC 5489 §2: key exchange bodies as OpenSSL sends them', () => {
    // psk_identity "dev1"
    expect(plain(decodePskClientKeyExchange(hex('0004 64657631')).message)).toEqual({ identity: '64657631' })
    // hint "hint", named_curve secp256r1 (23), a 65-byte uncompressed point
    const point = '04' + 'ab'.repeat(64)
    const ske = decodeEcdhePskServerKeyExchange(hex('0004 68696e74 03 0017 41' + point))
    expect(ske.violations).toEqual([])
    expect(plain(ske.message)).toEqual({ identityHint: '68696e74', namedCurve: 23, publicPoint: point })
    const bad = decodeEcdhePskServerKeyExchange(hex('0000 01 0017 01 04'))
    expect([bad.message, bad.violations.map((v) => [v.rule, v.offset])]).toEqual([undefined, [['dtls.ske-curve-type', 2]]])
  })

  it('RFC 5246 §7.4.9: Finished carries exactly 12 bytes of verify_data', () => {
    expect(decodeFinished(hex('00'.repeat(11))).message).toBeUndefined()
    expect(decodeFinished(hex('00'.repeat(13))).violations.map((v) => v.rule)).toEqual(['dtls.handshake-trailing-bytes'])
    expect(() => encodeFinished({ verifyData: new Uint8Array(11) })).toThrow(RangeError)
  })

  it('encoders refuse values that do not fit (session_id > 32, cookie > 255, empty suites, random ≠ 32)', () => {
    const ch: ClientHello = { clientVersion: 0xfefd, random: new Uint8Array(32), sessionId: new Uint8Array(0), cookie: new Uint8Array(0), cipherSuites: [0xc0a8], compressionMethods: [0] }
    expect(() => encodeClientHello({ ...ch, sessionId: new Uint8Array(33) })).toThrow(RangeError)
    expect(() => encodeClientHello({ ...ch, cookie: new Uint8Array(256) })).toThrow(RangeError)
    expect(() => encodeClientHello({ ...ch, cipherSuites: [] })).toThrow(RangeError)
    expect(() => encodeClientHello({ ...ch, random: new Uint8Array(31) })).toThrow(RangeError)
  })
})

describe('handshake messages: properties', () => {
  for (const [name, arb, encode, decode] of CODECS) {
    it(`${name}: decode(encode(m)) = m without violations`, () => {
      fc.assert(fc.property(arb as fc.Arbitrary<never>, (m) => {
        const enc = (encode as (m: never) => Uint8Array)(m)
        const d = (decode as (b: Uint8Array) => { message: unknown, violations: unknown[] })(enc)
        expect(d.violations).toEqual([])
        expect(plain(d.message)).toEqual(plain(m))
      }), { numRuns: 300 })
    })
  }

  it('fuzz: random bytes never throw any decoder, and violation offsets lie inside the body', () => {
    fc.assert(fc.property(bytes(0, 120), (b) => {
      for (const decode of DECODERS) {
        for (const v of decode(b).violations) if (v.offset < 0 || v.offset > b.length) throw new Error(`offset ${v.offset} of ${b.length}`)
      }
    }), { numRuns: 5000 })
  })

  it('fuzz: mutated valid messages (flipped, cut, extended) never throw', () => {
    const valid = fc.oneof(...CODECS.map(([, arb, encode]) => (arb as fc.Arbitrary<never>).map((m) => (encode as (m: never) => Uint8Array)(m))))
    fc.assert(fc.property(valid, fc.nat(), fc.integer({ min: 0, max: 255 }), fc.nat(), (b, i, x, cut) => {
      const m = b.slice()
      if (m.length > 0) m[i % m.length] = x
      for (const decode of DECODERS) {
        decode(m)
        decode(m.subarray(0, cut % (m.length + 1)))
        decode(Uint8Array.of(...m, x))
      }
    }), { numRuns: 2000 })
  })
})
