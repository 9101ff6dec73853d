// SPDX-License-Identifier: Apache-2.0
// The Crypto port: the primitives core/ needs for DTLS 1.2 record protection and key derivation
// (dtls-facts §3, §4), handed in from outside core like the clock (ports.ts). The implementation
// (transports/node-crypto.ts) uses node:crypto, limited to what Electron's BoringSSL also has:
// AES-ECB/CBC/GCM, HMAC-SHA256, SHA-256, a CSPRNG. AES-CCM is not among them (BoringSSL lacks it
// in the cipher API), so core/dtls/aes-ccm.ts builds CCM on `AesEncryptor`.
//
// Everything here is synchronous: the operations are microseconds long and a record must be
// protected in the order it is sent. Arguments are never modified; results are fresh arrays.
// Later issues add ECDH (P-256, X25519), ECDSA and X.509 here.

/** AES with one fixed key (128, 192 or 256 bits), encryption direction only: what CCM needs. */
export interface AesEncryptor {
  /**
   * The raw AES block function over a batch: each 16-byte block of `blocks` is encrypted on its
   * own (ECB). `blocks.length` must be a multiple of 16. Batched because one native call per
   * block costs more than the AES itself.
   */
  encryptBlocks(blocks: Uint8Array): Uint8Array
  /**
   * CBC-MAC with a zero IV: the last block of the CBC encryption of `blocks` (a multiple of 16,
   * at least one block), i.e. X_{i+1} = AES(K, X_i ⊕ B_i) folded from X_0 = 0 (RFC 3610 §2.2,
   * SP 800-38C §6.1 steps 3-4). The same value as folding `encryptBlocks` block by block.
   */
  cbcMac(blocks: Uint8Array): Uint8Array
}

/** NamedGroup code points (RFC 8422 §5.1.1) the ECDHE suites use. */
export const NamedGroup = { secp256r1: 23, x25519: 29 } as const

/** One side's ephemeral ECDH key (RFC 8422 §5.4, RFC 7748 §6): used for one handshake. */
export interface EcdhKey {
  /** The public value as it goes on the wire: an uncompressed point (0x04 ‖ X ‖ Y) or 32 bytes for X25519. */
  readonly publicKey: Uint8Array
  /** The shared secret with the peer's public value, or null when that value is not a valid point. */
  agree(peerPublic: Uint8Array): Uint8Array | null
}

export interface Crypto {
  /** A fresh ephemeral key on `group` (a NamedGroup), or null for a group this port lacks. */
  ecdhKey(group: number): EcdhKey | null
  /** An AES block cipher keyed once; keep it for as long as the key lives (one per epoch). */
  aesEncryptor(key: Uint8Array): AesEncryptor
  /** AES-CBC without padding: `data` must be a multiple of 16 bytes, `iv` 16 bytes. */
  aesCbcEncrypt(key: Uint8Array, iv: Uint8Array, data: Uint8Array): Uint8Array
  /** AES-CBC without padding (the caller checks and removes the record's own padding). */
  aesCbcDecrypt(key: Uint8Array, iv: Uint8Array, data: Uint8Array): Uint8Array
  /** AES-GCM (NIST SP 800-38D): ciphertext ‖ tag, tag of `tagLength` bytes (16 for TLS). */
  aesGcmSeal(key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, plaintext: Uint8Array, tagLength?: number): Uint8Array
  /** Opens ciphertext ‖ tag; null when the tag does not verify (never throws on bad input). */
  aesGcmOpen(key: Uint8Array, nonce: Uint8Array, aad: Uint8Array, sealed: Uint8Array, tagLength?: number): Uint8Array | null
  /** HMAC-SHA256 (RFC 2104) of the concatenation of `data`, without copying it together. */
  hmacSha256(key: Uint8Array, ...data: Uint8Array[]): Uint8Array
  /** SHA-256 of the concatenation of `data`. */
  sha256(...data: Uint8Array[]): Uint8Array
  /**
   * ECDSA with SHA-256 (RFC 8422 §5.4, ecdsa_secp256r1_sha256): the DER signature of `data` with a
   * P-256 private key (PKCS#8 DER), or null when the key is not one.
   */
  ecdsaSign(privateKey: Uint8Array, data: Uint8Array): Uint8Array | null
  /** Checks an ECDSA-SHA256 DER signature with a public key (SubjectPublicKeyInfo DER); never throws. */
  ecdsaVerify(publicKey: Uint8Array, data: Uint8Array, signature: Uint8Array): boolean
  /** The SubjectPublicKeyInfo (DER) of an X.509 certificate (DER), or null when it does not parse. */
  certificatePublicKey(certificate: Uint8Array): Uint8Array | null
  /** Bytes from a cryptographically secure source (randoms, IVs, cookies' secrets). */
  randomBytes(length: number): Uint8Array
}
