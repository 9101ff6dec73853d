// SPDX-License-Identifier: Apache-2.0
// The Crypto port on node:crypto (core/crypto.ts). The AesEncryptor reuses one keyed CBC context
// for every CBC-MAC, carrying the chaining value over; these tests hold it to the definition
// (RFC 3610 §2.2: X_{i+1} = AES(K, X_i ⊕ B_i), X_0 = 0) however calls interleave.
import { createCipheriv, createHmac } from 'node:crypto'
import fc from 'fast-check'
import { describe, expect, it } from 'vitest'
import { nodeCrypto } from '../../src-main/transports/node-crypto'
import { toHex } from '../../src-main/core/bytes'

function foldedCbcMac(key: Uint8Array, blocks: Uint8Array): string {
  const aes = nodeCrypto.aesEncryptor(key)
  let x: Uint8Array = new Uint8Array(16)
  for (let o = 0; o < blocks.length; o += 16) {
    const b = x.map((v, i) => v ^ blocks[o + i]!)
    x = aes.encryptBlocks(b)
  }
  return toHex(x)
}

const blocksArb = fc.integer({ min: 1, max: 8 }).chain((n) => fc.uint8Array({ minLength: 16 * n, maxLength: 16 * n }))

describe('nodeCrypto.aesEncryptor', () => {
  it('encryptBlocks is AES-ECB block by block (FIPS 197 App. C.1 AES-128)', () => {
    const aes = nodeCrypto.aesEncryptor(Uint8Array.from({ length: 16 }, (_, i) => i))
    const pt = Uint8Array.from({ length: 16 }, (_, i) => i * 0x11)
    expect(toHex(aes.encryptBlocks(pt))).toBe('69c4e0d86a7b0430d8cdb78070b4c55a')
    expect(toHex(aes.encryptBlocks(new Uint8Array([...pt, ...pt])))).toBe('69c4e0d86a7b0430d8cdb78070b4c55a'.repeat(2))
  })

  it('cbcMac equals the folded definition, call after call on one encryptor', () => {
    fc.assert(
      fc.property(fc.uint8Array({ minLength: 16, maxLength: 16 }), fc.array(blocksArb, { minLength: 1, maxLength: 6 }), (key, messages) => {
        const aes = nodeCrypto.aesEncryptor(key)
        for (const m of messages) {
          expect(toHex(aes.cbcMac(m))).toBe(foldedCbcMac(key, m))
          aes.encryptBlocks(m) // interleaved ECB use must not disturb the CBC chain
        }
      })
    )
  })

  it('refuses partial blocks and an empty CBC-MAC input', () => {
    const aes = nodeCrypto.aesEncryptor(new Uint8Array(16))
    expect(() => aes.encryptBlocks(new Uint8Array(15))).toThrow(RangeError)
    expect(() => aes.cbcMac(new Uint8Array(0))).toThrow(RangeError)
    expect(() => nodeCrypto.aesEncryptor(new Uint8Array(15))).toThrow(RangeError)
  })
})

describe('nodeCrypto: CBC, GCM, HMAC, SHA-256', () => {
  it('CBC without padding round-trips and matches node:crypto', () => {
    const key = new Uint8Array(16).fill(7)
    const iv = new Uint8Array(16).fill(9)
    const data = Uint8Array.from({ length: 48 }, (_, i) => i)
    const ct = nodeCrypto.aesCbcEncrypt(key, iv, data)
    const ref = createCipheriv('aes-128-cbc', key, iv).setAutoPadding(false)
    expect(toHex(ct)).toBe(Buffer.concat([ref.update(data), ref.final()]).toString('hex'))
    expect(toHex(nodeCrypto.aesCbcDecrypt(key, iv, ct))).toBe(toHex(data))
  })

  it('GCM seals, opens, and answers null (not an exception) for a bad tag or a short input', () => {
    const key = new Uint8Array(16).fill(1)
    const nonce = new Uint8Array(12).fill(2)
    const aad = new Uint8Array([1, 2, 3])
    const sealed = nodeCrypto.aesGcmSeal(key, nonce, aad, new Uint8Array([4, 5, 6]))
    expect(sealed.length).toBe(3 + 16)
    expect(toHex(nodeCrypto.aesGcmOpen(key, nonce, aad, sealed)!)).toBe('040506')
    const bad = sealed.slice()
    bad[0]! ^= 1
    expect(nodeCrypto.aesGcmOpen(key, nonce, aad, bad)).toBeNull()
    expect(nodeCrypto.aesGcmOpen(key, nonce, aad, sealed.subarray(0, 10))).toBeNull()
  })

  it('hmacSha256 and sha256 over several parts equal one call over their concatenation', () => {
    const key = new Uint8Array([1, 2, 3])
    const a = new Uint8Array([4, 5])
    const b = new Uint8Array([6])
    expect(toHex(nodeCrypto.hmacSha256(key, a, b))).toBe(createHmac('sha256', key).update(new Uint8Array([4, 5, 6])).digest('hex'))
    // FIPS 180-2 "abc"
    expect(toHex(nodeCrypto.sha256(new Uint8Array([0x61]), new Uint8Array([0x62, 0x63])))).toBe('ba7816bf8f01cfea414140de5dae2223b00361a396177a9cb410ff61f20015ad')
    expect(nodeCrypto.randomBytes(33).length).toBe(33)
  })
})
