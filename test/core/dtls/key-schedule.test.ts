// SPDX-License-Identifier: Apache-2.0
// TLS 1.2 PRF and key schedule (RFC 5246 §5, §6.3, §8.1, §7.4.9; RFC 7627 §4; RFC 4279 §2;
// RFC 5489 §2) against the sessions captured and re-derived in dtls-facts §4.5 and §5.6, and the
// PRF against a straight re-implementation on node:crypto's HMAC.
import { createHmac } from 'node:crypto'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { CIPHER_SUITES, cipherSuite, describeCipherSuite, keyBlockLength } from '../../../src-main/core/dtls/cipher-suites'
import { extendedMasterSecret, keyBlock, masterSecret, verifyData } from '../../../src-main/core/dtls/key-schedule'
import { ecdhePskPremaster, pskPremaster } from '../../../src-main/core/dtls/premaster'
import { prf, pSha256 } from '../../../src-main/core/dtls/prf'
import { ascii, crypto, hex, toHex } from './helpers'

const CCM_8 = cipherSuite(0xc0a8)!

describe('PRF (RFC 5246 §5)', () => {
  it('P_SHA256 equals A(i)/HMAC chaining written out on node:crypto, for any length', () => {
    const reference = (secret: Uint8Array, seed: Uint8Array, length: number): string => {
      const h = (...d: Uint8Array[]) => d.reduce((m, x) => m.update(x), createHmac('sha256', secret)).digest()
      let a: Uint8Array = seed
      let out = Buffer.alloc(0)
      while (out.length < length) {
        a = h(a)
        out = Buffer.concat([out, h(a, seed)])
      }
      return out.subarray(0, length).toString('hex')
    }
    fc.assert(
      fc.property(fc.uint8Array({ maxLength: 80 }), fc.uint8Array({ maxLength: 100 }), fc.integer({ min: 0, max: 200 }), (secret, seed, length) => {
        expect(toHex(pSha256(crypto, secret, seed, length))).toBe(reference(secret, seed, length))
      })
    )
  })

  it('PRF prefixes the ASCII label to the seed', () => {
    const secret = hex('0102')
    expect(toHex(prf(crypto, secret, 'key expansion', hex('aabb'), 40))).toBe(toHex(pSha256(crypto, secret, new Uint8Array([...ascii('key expansion'), 0xaa, 0xbb]), 40)))
  })
})

describe('pre-master secrets', () => {
  const psk = hex('000102030405060708090a0b0c0d0e0f')
  it('RFC 4279 §2: 16-byte PSK → 0x0010 ‖ 00×16 ‖ 0x0010 ‖ PSK (36 bytes)', () => {
    expect(toHex(pskPremaster(psk))).toBe('0010' + '00'.repeat(16) + '0010' + toHex(psk))
  })
  it('RFC 5489 §2: ECDHE_PSK → uint16(len Z) ‖ Z ‖ uint16(len PSK) ‖ PSK (52 bytes for P-256)', () => {
    const z = Uint8Array.from({ length: 32 }, (_, i) => 0xa0 + i)
    const pms = ecdhePskPremaster(z, psk)
    expect(pms.length).toBe(52)
    expect(toHex(pms)).toBe('0020' + toHex(z) + '0010' + toHex(psk))
  })
})

describe('dtls-facts §5.6: Mbed TLS PSK + EMS session, TLS_PSK_WITH_AES_128_CCM_8', () => {
  const psk = hex('000102030405060708090a0b0c0d0e0f')
  const sessionHash = hex('5ef0eada6ac58efe18d4f297e6051e67b8e664828c0e16a5c936790c934c53cf')
  const clientRandom = hex('6b07da9988c21357c18e07a30f1102ad7d1edd23745e01d0e7e623ab3a8c60b8')
  const serverRandom = hex('6b07da99d1e63a739a4ab6a743d6060f5f62453d715f94a798a60cc3e8f32d55')
  const master = hex('70618abc94c1467bfa7ae9ec4aed53d3f05b56ecc0c9661fc1481eab92b44b353a8a6de6990d783b9fef5175cc9e35c6')

  it('RFC 7627 §4: extended master secret from the PSK pre-master and the session hash', () => {
    expect(toHex(extendedMasterSecret(crypto, pskPremaster(psk), sessionHash))).toBe(toHex(master))
  })

  it('RFC 5246 §8.1: the classic label gives a different master (026832f2…)', () => {
    expect(toHex(masterSecret(crypto, pskPremaster(psk), clientRandom, serverRandom)).startsWith('026832f2')).toBe(true)
  })

  it('RFC 5246 §6.3: key block → write keys and IVs in client/server order', () => {
    const kb = keyBlock(crypto, master, clientRandom, serverRandom, CCM_8)
    expect(toHex(kb.client.key)).toBe('19c21302f3c1b949fa3c7f0a836984a9')
    expect(toHex(kb.server.key)).toBe('88ed08fc76a07ad5d8bd2386827d9d32')
    expect(toHex(kb.client.iv)).toBe('e421bb91')
    expect(toHex(kb.server.iv)).toBe('25cf0d14')
    expect(kb.client.macKey.length).toBe(0)
  })

  it('RFC 5246 §7.4.9: client verify_data over CH2…CKE (the same messages as the session hash)', () => {
    expect(toHex(verifyData(crypto, master, 'client', sessionHash))).toBe('c6422ac1ce30285fabe4e452')
  })
})

describe('dtls-facts §4.5: OpenSSL PSK + EMS session, CCM_8 client write keys', () => {
  it('RFC 5246 §6.3: key block from the logged master secret', () => {
    const kb = keyBlock(
      crypto,
      hex('33f03ad686f9696a9966cb707e389bc08e881b83bd4dd4f3f04e5ccbbf3e92b8bd170748abc8a4feff0531447c766ddd'),
      hex('ad33cc779b3468711f812470518b7ce67035f3ca669b52c8786b209d7fc0c86f'),
      hex('2b2c3eea2370aac6db1c9e8b1334b47f2b12cd591432cccaa7a99586728ba769'),
      CCM_8
    )
    expect(toHex(kb.client.key)).toBe('2f065b85036e1869275aeacfaa3b7ae8')
    expect(toHex(kb.client.iv)).toBe('68de0bff')
  })
})

describe('cipher suites (dtls-facts §3.3, §4.1)', () => {
  it('key block is 40 bytes for the AEAD suites and 96 for the CBC-SHA256 ones', () => {
    for (const s of CIPHER_SUITES) expect(keyBlockLength(s)).toBe(s.cipher === 'aes-128-cbc-sha256' ? 96 : 40)
  })
  it('CBC suites cut MAC keys first (RFC 5246 §6.3)', () => {
    const kb = keyBlock(crypto, new Uint8Array(48), new Uint8Array(32), new Uint8Array(32), cipherSuite(0x00ae)!)
    const block = prf(crypto, new Uint8Array(48), 'key expansion', new Uint8Array(64), 96)
    expect(toHex(kb.client.macKey)).toBe(toHex(block.subarray(0, 32)))
    expect(toHex(kb.server.macKey)).toBe(toHex(block.subarray(32, 64)))
    expect(toHex(kb.client.key)).toBe(toHex(block.subarray(64, 80)))
    expect(toHex(kb.server.key)).toBe(toHex(block.subarray(80, 96)))
    expect(kb.client.iv.length + kb.server.iv.length).toBe(0)
  })
  it('names a suite for diagnosis, and an unknown code by its number', () => {
    expect(describeCipherSuite(0xc0a8)).toBe('TLS_PSK_WITH_AES_128_CCM_8 (0xC0A8)')
    expect(describeCipherSuite(0xccac)).toBe('0xCCAC')
  })
})
