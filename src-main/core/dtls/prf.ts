// SPDX-License-Identifier: Apache-2.0
// The TLS 1.2 pseudo-random function with SHA-256 (RFC 5246 §5; dtls-facts §3.1), the only PRF
// our suites use:
//   P_SHA256(secret, seed) = HMAC(secret, A(1) ‖ seed) ‖ HMAC(secret, A(2) ‖ seed) ‖ …,
//   A(0) = seed, A(i) = HMAC(secret, A(i-1));  PRF(secret, label, seed) = P_SHA256(secret, label ‖ seed).
import type { Crypto } from '../crypto'

const encoder = new TextEncoder()

/** P_SHA256 truncated to `length` bytes (RFC 5246 §5). */
export function pSha256(crypto: Crypto, secret: Uint8Array, seed: Uint8Array, length: number): Uint8Array {
  const out = new Uint8Array(length)
  let a = seed
  for (let at = 0; at < length; at += 32) {
    a = crypto.hmacSha256(secret, a)
    const block = crypto.hmacSha256(secret, a, seed)
    out.set(length - at >= 32 ? block : block.subarray(0, length - at), at)
  }
  return out
}

/** PRF(secret, label, seed) with an ASCII label, truncated to `length` bytes (RFC 5246 §5). */
export function prf(crypto: Crypto, secret: Uint8Array, label: string, seed: Uint8Array, length: number): Uint8Array {
  const l = encoder.encode(label)
  const labelSeed = new Uint8Array(l.length + seed.length)
  labelSeed.set(l)
  labelSeed.set(seed, l.length)
  return pSha256(crypto, secret, labelSeed, length)
}
