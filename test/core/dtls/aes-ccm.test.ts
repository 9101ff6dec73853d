// SPDX-License-Identifier: Apache-2.0
// Our AES-CCM on the port's AES block function: the RFC 3610 §8 packet vectors, the NIST SP
// 800-38C App. C examples, the DTLS 1.2 CCM_8 record of dtls-facts §4.5, and node:crypto's native
// aes-128-ccm (present in Node's OpenSSL, absent in Electron's BoringSSL) as an independent oracle.
import { createCipheriv } from 'node:crypto'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { ccmOpen, ccmSeal, type CcmTagLength } from '../../../src-main/core/dtls/aes-ccm'
import { ascii, crypto, hex, run, toHex } from './helpers'

interface Vector {
  name: string
  key: string
  nonce: string
  aad: Uint8Array
  plaintext: Uint8Array
  tagLength: CcmTagLength
  ciphertext: string
  tag: string
}

const RFC_KEY = 'c0c1c2c3c4c5c6c7c8c9cacbcccdcecf'
const NIST_KEY = '404142434445464748494a4b4c4d4e4f'

const VECTORS: Vector[] = [
  {
    name: 'RFC 3610 §8 Packet Vector #1 (M=8, L=2, 8-byte header)',
    key: RFC_KEY, nonce: '00000003020100a0a1a2a3a4a5', aad: run(0, 7), plaintext: run(8, 0x1e), tagLength: 8,
    ciphertext: '588c979a61c663d2f066d0c2c0f989806d5f6b61dac384', tag: '17e8d12cfdf926e0'
  },
  {
    name: 'RFC 3610 §8 Packet Vector #2 (payload of exactly 24 bytes)',
    key: RFC_KEY, nonce: '00000004030201a0a1a2a3a4a5', aad: run(0, 7), plaintext: run(8, 0x1f), tagLength: 8,
    ciphertext: '72c91a36e135f8cf291ca894085c87e3cc15c439c9e43a3b', tag: 'a091d56e10400916'
  },
  {
    name: 'RFC 3610 §8 Packet Vector #3 (25-byte payload)',
    key: RFC_KEY, nonce: '00000005040302a0a1a2a3a4a5', aad: run(0, 7), plaintext: run(8, 0x20), tagLength: 8,
    ciphertext: '51b1e5f44a197d1da46b0f8e2d282ae871e838bb64da859657', tag: '4adaa76fbd9fb0c5'
  },
  {
    name: 'RFC 3610 §8 Packet Vector #4 (12-byte header)',
    key: RFC_KEY, nonce: '00000006050403a0a1a2a3a4a5', aad: run(0, 11), plaintext: run(12, 0x1e), tagLength: 8,
    ciphertext: 'a28c6865939a9a79faaa5c4c2a9d4a91cdac8c', tag: '96c861b9c9e61ef1'
  },
  {
    name: 'RFC 3610 §8 Packet Vector #7 (M=10)',
    key: RFC_KEY, nonce: '00000009080706a0a1a2a3a4a5', aad: run(0, 7), plaintext: run(8, 0x1e), tagLength: 10,
    ciphertext: '0135d1b2c95f41d5d1d4fec185d166b8094e999dfed96c', tag: '048c56602c97acbb7490'
  },
  {
    name: 'SP 800-38C App. C Example 1 (7-byte nonce, 4-byte tag)',
    key: NIST_KEY, nonce: '10111213141516', aad: hex('0001020304050607'), plaintext: hex('20212223'), tagLength: 4,
    ciphertext: '7162015b', tag: '4dac255d'
  },
  {
    name: 'SP 800-38C App. C Example 2 (8-byte nonce, 6-byte tag)',
    key: NIST_KEY, nonce: '1011121314151617', aad: run(0, 15), plaintext: run(0x20, 0x2f), tagLength: 6,
    ciphertext: 'd2a1f0e051ea5f62081a7792073d593d', tag: '1fc64fbfaccd'
  },
  {
    name: 'SP 800-38C App. C Example 3 (12-byte nonce, 8-byte tag)',
    key: NIST_KEY, nonce: '101112131415161718191a1b', aad: run(0, 0x13), plaintext: run(0x20, 0x37), tagLength: 8,
    ciphertext: 'e3b201a9f5b71a7a9b1ceaeccd97e70b6176aad9a4428aa5', tag: '484392fbc1b09951'
  },
  {
    name: 'SP 800-38C App. C Example 4 (65536-byte AAD: the 0xFFFE length form, 14-byte tag)',
    key: NIST_KEY, nonce: '101112131415161718191a1b1c', aad: Uint8Array.from({ length: 65536 }, (_, i) => i & 0xff),
    plaintext: run(0x20, 0x3f), tagLength: 14,
    ciphertext: '69915dad1e84c6376a68c2967e4dab615ae0fd1faec44cc484828529463ccf72', tag: 'b4ac6bec93e8598e7f0dadbcea5b'
  },
  {
    name: 'dtls-facts §4.5 DTLS 1.2 CCM_8 record (OpenSSL, epoch 1 seq 1, "hello lwm2m")',
    key: '2f065b85036e1869275aeacfaa3b7ae8', nonce: '68de0bff' + '0001000000000001',
    aad: hex('0001000000000001 17 fefd 000b'), plaintext: ascii('hello lwm2m'), tagLength: 8,
    ciphertext: '3f9935dfc6831aea4d6925', tag: '800916c4747660a3'
  }
]

describe('AES-CCM on the AES block function (RFC 3610 §2, SP 800-38C §6)', () => {
  for (const v of VECTORS) {
    it(`${v.name}: seals`, () => {
      const aes = crypto.aesEncryptor(hex(v.key))
      expect(toHex(ccmSeal(aes, hex(v.nonce), v.aad, v.plaintext, v.tagLength))).toBe(v.ciphertext + v.tag)
    })
    it(`${v.name}: opens, and refuses a flipped bit anywhere`, () => {
      const aes = crypto.aesEncryptor(hex(v.key))
      const sealed = hex(v.ciphertext + v.tag)
      expect(toHex(ccmOpen(aes, hex(v.nonce), v.aad, sealed, v.tagLength)!)).toBe(toHex(v.plaintext))
      for (let i = 0; i < sealed.length; i++) {
        const bad = sealed.slice()
        bad[i]! ^= 0x01
        expect(ccmOpen(aes, hex(v.nonce), v.aad, bad, v.tagLength)).toBeNull()
      }
      if (v.aad.length > 0) {
        const aad = v.aad.slice()
        aad[0]! ^= 0x80
        expect(ccmOpen(aes, hex(v.nonce), aad, sealed, v.tagLength)).toBeNull()
      }
    })
  }

  it('RFC 3610 §2.5: a sealed input shorter than the tag is refused, not thrown', () => {
    const aes = crypto.aesEncryptor(hex(RFC_KEY))
    expect(ccmOpen(aes, hex('68de0bff0001000000000001'), new Uint8Array(0), new Uint8Array(7), 8)).toBeNull()
  })

  it('RFC 3610 §2: nonce and tag lengths outside the definition are programming errors', () => {
    const aes = crypto.aesEncryptor(hex(RFC_KEY))
    expect(() => ccmSeal(aes, new Uint8Array(6), new Uint8Array(0), new Uint8Array(1), 8)).toThrow(RangeError)
    expect(() => ccmSeal(aes, new Uint8Array(12), new Uint8Array(0), new Uint8Array(1), 5 as CcmTagLength)).toThrow(RangeError)
    // L = 2 (13-byte nonce) holds payloads below 64 KiB only.
    expect(() => ccmSeal(aes, new Uint8Array(13), new Uint8Array(0), new Uint8Array(65536), 8)).toThrow(RangeError)
  })
})

/** node:crypto's own CCM: OpenSSL's implementation, written by nobody here. */
function nodeCcmSeal(key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, plaintext: Uint8Array, tagLength: number): string {
  const c = createCipheriv('aes-128-ccm', key, nonce, { authTagLength: tagLength })
  c.setAAD(aad, { plaintextLength: plaintext.length })
  const ct = Buffer.concat([c.update(plaintext), c.final()])
  return ct.toString('hex') + c.getAuthTag().toString('hex')
}

describe('AES-CCM against node:crypto aes-128-ccm (property, DTLS parameters and beyond)', () => {
  it('same ciphertext ‖ tag for random keys, nonces (7-13), AAD, payloads and tag lengths, and it opens', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 16, maxLength: 16 }),
        fc.integer({ min: 7, max: 13 }).chain((n) => fc.uint8Array({ minLength: n, maxLength: n })),
        fc.uint8Array({ maxLength: 64 }),
        fc.uint8Array({ maxLength: 300 }),
        fc.constantFrom<CcmTagLength>(4, 6, 8, 10, 12, 14, 16),
        (key, nonce, aad, plaintext, tagLength) => {
          const aes = crypto.aesEncryptor(key)
          const sealed = ccmSeal(aes, nonce, aad, plaintext, tagLength)
          expect(toHex(sealed)).toBe(nodeCcmSeal(key, nonce, aad, plaintext, tagLength))
          expect(toHex(ccmOpen(aes, nonce, aad, sealed, tagLength)!)).toBe(toHex(plaintext))
        }
      ),
      { numRuns: 500 }
    )
  })

  it('DTLS shape (12-byte nonce, 13-byte AAD, CCM_8 and CCM): records up to 2^14 bytes', () => {
    fc.assert(
      fc.property(
        fc.uint8Array({ minLength: 16, maxLength: 16 }),
        fc.uint8Array({ minLength: 12, maxLength: 12 }),
        fc.uint8Array({ minLength: 13, maxLength: 13 }),
        fc.integer({ min: 0, max: 16384 }),
        fc.constantFrom<CcmTagLength>(8, 16),
        (key, nonce, aad, length, tagLength) => {
          const plaintext = Uint8Array.from({ length }, (_, i) => (i * 31 + key[0]!) & 0xff)
          const aes = crypto.aesEncryptor(key)
          expect(toHex(ccmSeal(aes, nonce, aad, plaintext, tagLength))).toBe(nodeCcmSeal(key, nonce, aad, plaintext, tagLength))
        }
      ),
      { numRuns: 100 }
    )
  })
})
