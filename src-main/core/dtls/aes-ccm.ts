// SPDX-License-Identifier: Apache-2.0
// AES-CCM (RFC 3610 §2; NIST SP 800-38C §6, App. A) built on the Crypto port's AES block function,
// because Electron's BoringSSL has no CCM (DESIGN.md "Runtime"). DTLS 1.2 uses it with a 12-byte
// nonce (4-byte implicit salt ‖ 8-byte explicit epoch‖seq, so L = 3) and an 8-byte (CCM_8) or
// 16-byte tag (RFC 6655 §3, RFC 7251 §2; dtls-facts §4.4). The general parameter range is kept
// so that the RFC 3610 and SP 800-38C vectors run: nonce 7..13 bytes, tag 4..16 bytes and even.
//
// Two port calls per operation: the CBC-MAC over the formatted blocks B_0 ‖ AAD ‖ payload
// (SP 800-38C §6.1 steps 1-4) and one batched ECB pass over the counter blocks A_0..A_m (steps
// 5-8). Opening runs CTR first, recomputes the MAC over the recovered payload and compares the
// tags in constant time; on a mismatch the payload is wiped and null returned (RFC 3610 §2.5).
import type { AesEncryptor } from '../crypto'
import { constantTimeEqual } from './constant-time'

export type CcmTagLength = 4 | 6 | 8 | 10 | 12 | 14 | 16

function checkParameters(nonce: Uint8Array, tagLength: number, payloadLength: number): number {
  if (nonce.length < 7 || nonce.length > 13) throw new RangeError(`CCM nonce of ${nonce.length} bytes (7-13; RFC 3610 §2)`)
  if (tagLength < 4 || tagLength > 16 || tagLength % 2 !== 0) throw new RangeError(`CCM tag of ${tagLength} bytes (4-16, even; RFC 3610 §2)`)
  const L = 15 - nonce.length
  if (L < 6 && payloadLength >= 2 ** (8 * L)) throw new RangeError(`CCM payload of ${payloadLength} bytes does not fit a ${L}-byte length field`)
  return L
}

/** B_0 ‖ encoded AAD, zero-padded ‖ payload, zero-padded (SP 800-38C App. A.2). */
function formatMacInput(nonce: Uint8Array, aad: Uint8Array, payload: Uint8Array, tagLength: number, L: number): Uint8Array {
  const a = aad.length
  // A.2.2: 2 length bytes below 2^16 - 2^8, else 0xFFFE and 4 bytes (AAD ≥ 2^32 cannot occur here).
  const aadHeader = a === 0 ? 0 : a < 0xff00 ? 2 : 6
  const aadBlocks = Math.ceil((aadHeader + a) / 16) * 16
  const payloadBlocks = Math.ceil(payload.length / 16) * 16
  const buf = new Uint8Array(16 + aadBlocks + payloadBlocks)
  buf[0] = (a > 0 ? 0x40 : 0) | (((tagLength - 2) / 2) << 3) | (L - 1)
  buf.set(nonce, 1)
  let q = payload.length
  for (let i = 15; i > 15 - L; i--) {
    buf[i] = q & 0xff
    q = Math.floor(q / 256)
  }
  let at = 16
  if (aadHeader === 2) {
    buf[at] = a >> 8
    buf[at + 1] = a & 0xff
  } else if (aadHeader === 6) {
    buf[at] = 0xff
    buf[at + 1] = 0xfe
    buf[at + 2] = (a >>> 24) & 0xff
    buf[at + 3] = (a >>> 16) & 0xff
    buf[at + 4] = (a >>> 8) & 0xff
    buf[at + 5] = a & 0xff
  }
  buf.set(aad, at + aadHeader)
  at += aadBlocks
  buf.set(payload, at)
  return buf
}

/** The key stream S_0 ‖ S_1 ‖ … ‖ S_m for a payload of `length` bytes (SP 800-38C A.3, §6.1 step 6-7). */
function keyStream(aes: AesEncryptor, nonce: Uint8Array, length: number, L: number): Uint8Array {
  const m = Math.ceil(length / 16)
  const counters = new Uint8Array(16 * (m + 1))
  for (let i = 0; i <= m; i++) {
    const o = 16 * i
    counters[o] = L - 1
    counters.set(nonce, o + 1)
    let c = i
    for (let j = o + 15; c > 0; j--) {
      counters[j] = c & 0xff
      c = Math.floor(c / 256)
    }
  }
  return aes.encryptBlocks(counters)
}

/** CCM generation-encryption (SP 800-38C §6.1): ciphertext ‖ tag (`tagLength` bytes). */
export function ccmSeal(aes: AesEncryptor, nonce: Uint8Array, aad: Uint8Array, plaintext: Uint8Array, tagLength: CcmTagLength): Uint8Array {
  const out = new Uint8Array(plaintext.length + tagLength)
  ccmSealInto(aes, nonce, aad, plaintext, tagLength, out, 0)
  return out
}

/**
 * ccmSeal writing ciphertext ‖ tag into `out` at `at` (which must have room), so that a record
 * can be built without another copy.
 */
export function ccmSealInto(aes: AesEncryptor, nonce: Uint8Array, aad: Uint8Array, plaintext: Uint8Array, tagLength: CcmTagLength, out: Uint8Array, at: number): void {
  const L = checkParameters(nonce, tagLength, plaintext.length)
  const t = aes.cbcMac(formatMacInput(nonce, aad, plaintext, tagLength, L))
  const s = keyStream(aes, nonce, plaintext.length, L)
  const n = plaintext.length
  for (let i = 0; i < n; i++) out[at + i] = (plaintext[i] as number) ^ (s[16 + i] as number)
  for (let i = 0; i < tagLength; i++) out[at + n + i] = (t[i] as number) ^ (s[i] as number)
}

/**
 * CCM decryption-verification (SP 800-38C §6.2): the plaintext, or null when `sealed` is shorter
 * than a tag or the tag does not verify. Never throws for bad input bytes (only for parameters
 * outside the ranges above, which are programming errors).
 */
export function ccmOpen(aes: AesEncryptor, nonce: Uint8Array, aad: Uint8Array, sealed: Uint8Array, tagLength: CcmTagLength): Uint8Array | null {
  if (sealed.length < tagLength) {
    checkParameters(nonce, tagLength, 0)
    return null
  }
  const n = sealed.length - tagLength
  const L = checkParameters(nonce, tagLength, n)
  const s = keyStream(aes, nonce, n, L)
  const plaintext = new Uint8Array(n)
  for (let i = 0; i < n; i++) plaintext[i] = (sealed[i] as number) ^ (s[16 + i] as number)
  const t = aes.cbcMac(formatMacInput(nonce, aad, plaintext, tagLength, L))
  const expected = new Uint8Array(tagLength)
  for (let i = 0; i < tagLength; i++) expected[i] = (t[i] as number) ^ (s[i] as number)
  if (constantTimeEqual(expected, sealed.subarray(n))) return plaintext
  plaintext.fill(0)
  return null
}
