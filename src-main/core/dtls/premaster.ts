// SPDX-License-Identifier: Apache-2.0
// Pre-master secrets of the PSK key exchanges (dtls-facts §3.4, §3.5):
//   PSK (RFC 4279 §2):        uint16(N) ‖ N zero bytes ‖ uint16(N) ‖ PSK, N = PSK length
//   ECDHE_PSK (RFC 5489 §2):  uint16(len Z) ‖ Z ‖ uint16(len PSK) ‖ PSK, Z = the ECDH shared secret
// (ECDHE_ECDSA uses Z itself as the pre-master secret, RFC 8422 §5.10.)

function withPsk(other: Uint8Array, psk: Uint8Array): Uint8Array {
  if (psk.length > 0xffff || other.length > 0xffff) throw new RangeError('PSK and shared secret are at most 65535 bytes (RFC 4279 §2)')
  const out = new Uint8Array(4 + other.length + psk.length)
  out[0] = other.length >> 8
  out[1] = other.length & 0xff
  out.set(other, 2)
  const at = 2 + other.length
  out[at] = psk.length >> 8
  out[at + 1] = psk.length & 0xff
  out.set(psk, at + 2)
  return out
}

/** Plain PSK pre-master secret (RFC 4279 §2): the "other_secret" is N zero bytes. */
export function pskPremaster(psk: Uint8Array): Uint8Array {
  return withPsk(new Uint8Array(psk.length), psk)
}

/** ECDHE_PSK pre-master secret (RFC 5489 §2): the "other_secret" is the ECDH result Z. */
export function ecdhePskPremaster(sharedSecret: Uint8Array, psk: Uint8Array): Uint8Array {
  return withPsk(sharedSecret, psk)
}
