// SPDX-License-Identifier: Apache-2.0
// core's Crypto port on node:crypto. Only ciphers Electron's BoringSSL also offers are used
// (aes-*-ecb, aes-*-cbc, aes-*-gcm, sha256): no aes-*-ccm, which core builds itself.
import { createCipheriv, createDecipheriv, createECDH, createHash, createHmac, createPrivateKey, createPublicKey, diffieHellman, generateKeyPairSync, randomBytes, sign, verify, X509Certificate } from 'node:crypto'
import { NamedGroup, type AesEncryptor, type Crypto } from '../core/crypto'

const ZERO_IV = new Uint8Array(16)

function aesName(key: Uint8Array, mode: 'ecb' | 'cbc' | 'gcm'): string {
  if (key.length !== 16 && key.length !== 24 && key.length !== 32) throw new RangeError(`AES key of ${key.length} bytes (16, 24 or 32)`)
  return `aes-${key.length * 8}-${mode}`
}

function wholeBlocks(data: Uint8Array, what: string): void {
  if (data.length % 16 !== 0) throw new RangeError(`${what}: ${data.length} bytes is not a multiple of 16`)
}

function view(b: Buffer): Uint8Array {
  return new Uint8Array(b.buffer, b.byteOffset, b.length)
}

/**
 * One keyed ECB and one keyed CBC context, reused for every call: the key schedule is paid once.
 * ECB keeps no state between updates. The CBC context keeps its chaining value (the last
 * ciphertext block out), so a CBC-MAC with a zero IV starts by XOR-ing that value into the first
 * block: AES(K, (B_0 ⊕ C) ⊕ C) = AES(K, B_0).
 */
function nodeAesEncryptor(key: Uint8Array): AesEncryptor {
  const ecb = createCipheriv(aesName(key, 'ecb'), key, null).setAutoPadding(false)
  const cbc = createCipheriv(aesName(key, 'cbc'), key, ZERO_IV).setAutoPadding(false)
  const chain = new Uint8Array(16)
  return {
    encryptBlocks(blocks) {
      wholeBlocks(blocks, 'encryptBlocks')
      return view(ecb.update(blocks))
    },
    cbcMac(blocks) {
      wholeBlocks(blocks, 'cbcMac')
      if (blocks.length === 0) throw new RangeError('cbcMac needs at least one block')
      const input = blocks.slice()
      for (let i = 0; i < 16; i++) input[i] = (input[i] as number) ^ (chain[i] as number)
      const out = cbc.update(input)
      const mac = new Uint8Array(out.buffer, out.byteOffset + out.length - 16, 16).slice()
      chain.set(mac)
      return mac
    }
  }
}

export const nodeCrypto: Crypto = {
  aesEncryptor: nodeAesEncryptor,
  aesCbcEncrypt(key, iv, data) {
    wholeBlocks(data, 'aesCbcEncrypt')
    const c = createCipheriv(aesName(key, 'cbc'), key, iv).setAutoPadding(false)
    return view(Buffer.concat([c.update(data), c.final()]))
  },
  aesCbcDecrypt(key, iv, data) {
    wholeBlocks(data, 'aesCbcDecrypt')
    const d = createDecipheriv(aesName(key, 'cbc'), key, iv).setAutoPadding(false)
    return view(Buffer.concat([d.update(data), d.final()]))
  },
  aesGcmSeal(key, nonce, aad, plaintext, tagLength = 16) {
    const c = createCipheriv(aesName(key, 'gcm') as 'aes-128-gcm', key, nonce, { authTagLength: tagLength })
    c.setAAD(aad)
    const ct = c.update(plaintext)
    c.final()
    return view(Buffer.concat([ct, c.getAuthTag()]))
  },
  aesGcmOpen(key, nonce, aad, sealed, tagLength = 16) {
    if (sealed.length < tagLength) return null
    const n = sealed.length - tagLength
    try {
      const d = createDecipheriv(aesName(key, 'gcm') as 'aes-128-gcm', key, nonce, { authTagLength: tagLength })
      d.setAAD(aad)
      d.setAuthTag(sealed.subarray(n))
      const pt = d.update(sealed.subarray(0, n))
      d.final() // throws when the tag does not verify
      return view(pt)
    } catch {
      return null
    }
  },
  hmacSha256(key, ...data) {
    const h = createHmac('sha256', key)
    for (const d of data) h.update(d)
    return view(h.digest())
  },
  sha256(...data) {
    const h = createHash('sha256')
    for (const d of data) h.update(d)
    return view(h.digest())
  },
  ecdhKey(group) {
    if (group === NamedGroup.secp256r1) {
      const ecdh = createECDH('prime256v1')
      const publicKey = view(ecdh.generateKeys())
      return {
        publicKey,
        agree(peer) {
          try {
            return view(ecdh.computeSecret(peer))
          } catch {
            return null // not a point on the curve
          }
        }
      }
    }
    if (group === NamedGroup.x25519) {
      const { privateKey, publicKey } = generateKeyPairSync('x25519')
      const raw = Buffer.from((publicKey.export({ format: 'jwk' }).x as string), 'base64url')
      return {
        publicKey: view(raw),
        agree(peer) {
          if (peer.length !== 32) return null
          try {
            const theirs = createPublicKey({ key: { kty: 'OKP', crv: 'X25519', x: Buffer.from(peer).toString('base64url') }, format: 'jwk' })
            const secret = view(diffieHellman({ privateKey, publicKey: theirs }))
            // RFC 7748 §6.1: an all-zero result means a low-order point; refuse it.
            return secret.some((b) => b !== 0) ? secret : null
          } catch {
            return null
          }
        }
      }
    }
    return null
  },
  ecdsaSign(privateKey, data) {
    try {
      const key = createPrivateKey({ key: Buffer.from(privateKey), format: 'der', type: 'pkcs8' })
      if (key.asymmetricKeyType !== 'ec') return null
      return view(sign('sha256', data, key))
    } catch {
      return null
    }
  },
  ecdsaVerify(publicKey, data, signature) {
    try {
      const key = createPublicKey({ key: Buffer.from(publicKey), format: 'der', type: 'spki' })
      if (key.asymmetricKeyType !== 'ec') return false
      return verify('sha256', data, key, signature)
    } catch {
      return false
    }
  },
  certificatePublicKey(certificate) {
    try {
      return view(new X509Certificate(Buffer.from(certificate)).publicKey.export({ format: 'der', type: 'spki' }))
    } catch {
      return null
    }
  },
  randomBytes(length) {
    return view(randomBytes(length))
  }
}
