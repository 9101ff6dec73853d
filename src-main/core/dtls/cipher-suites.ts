// SPDX-License-Identifier: Apache-2.0
// The DTLS 1.2 cipher suites this tool speaks (issue 15; dtls-facts §4.1) and what each needs from
// the key block (RFC 5246 §6.3; dtls-facts §3.3). All use the SHA-256 PRF (RFC 5246 §5).
// AES-128-CCM with a 16-byte tag (RFC 6655 §3, RFC 7251 §2) is listed beside CCM_8 because the
// record layer supports both tag lengths; the LwM2M mandatory suites are the CCM_8 ones.

export type KeyExchange = 'psk' | 'ecdhe_psk' | 'ecdhe_ecdsa'
/** How records are protected once the suite is on. */
export type BulkCipher = 'aes-128-ccm-8' | 'aes-128-ccm' | 'aes-128-gcm' | 'aes-128-cbc-sha256'

export interface CipherSuite {
  /** IANA code point, e.g. 0xC0A8. */
  readonly code: number
  readonly name: string
  readonly keyExchange: KeyExchange
  readonly cipher: BulkCipher
  /** Key block sizes (RFC 5246 §6.3): MAC key, encryption key, fixed IV (AEAD salt). */
  readonly macKeyLength: number
  readonly encKeyLength: number
  readonly fixedIvLength: number
  /** Per-record explicit part sent in front of the ciphertext: AEAD nonce_explicit or CBC IV. */
  readonly recordIvLength: number
  /** AEAD tag or HMAC length appended to each record. */
  readonly tagLength: number
  readonly defined: string
}

const CCM8 = { cipher: 'aes-128-ccm-8', macKeyLength: 0, encKeyLength: 16, fixedIvLength: 4, recordIvLength: 8, tagLength: 8 } as const
const CCM16 = { cipher: 'aes-128-ccm', macKeyLength: 0, encKeyLength: 16, fixedIvLength: 4, recordIvLength: 8, tagLength: 16 } as const
const GCM = { cipher: 'aes-128-gcm', macKeyLength: 0, encKeyLength: 16, fixedIvLength: 4, recordIvLength: 8, tagLength: 16 } as const
const CBC = { cipher: 'aes-128-cbc-sha256', macKeyLength: 32, encKeyLength: 16, fixedIvLength: 0, recordIvLength: 16, tagLength: 32 } as const

export const CIPHER_SUITES: readonly CipherSuite[] = [
  { code: 0xc0a8, name: 'TLS_PSK_WITH_AES_128_CCM_8', keyExchange: 'psk', ...CCM8, defined: 'RFC 6655 §4' },
  { code: 0xc0a4, name: 'TLS_PSK_WITH_AES_128_CCM', keyExchange: 'psk', ...CCM16, defined: 'RFC 6655 §4' },
  { code: 0x00ae, name: 'TLS_PSK_WITH_AES_128_CBC_SHA256', keyExchange: 'psk', ...CBC, defined: 'RFC 5487' },
  { code: 0x00a8, name: 'TLS_PSK_WITH_AES_128_GCM_SHA256', keyExchange: 'psk', ...GCM, defined: 'RFC 5487' },
  { code: 0xc037, name: 'TLS_ECDHE_PSK_WITH_AES_128_CBC_SHA256', keyExchange: 'ecdhe_psk', ...CBC, defined: 'RFC 5489 §3' },
  { code: 0xc0ae, name: 'TLS_ECDHE_ECDSA_WITH_AES_128_CCM_8', keyExchange: 'ecdhe_ecdsa', ...CCM8, defined: 'RFC 7251 §2' },
  { code: 0xc0ac, name: 'TLS_ECDHE_ECDSA_WITH_AES_128_CCM', keyExchange: 'ecdhe_ecdsa', ...CCM16, defined: 'RFC 7251 §2' },
  { code: 0xc02b, name: 'TLS_ECDHE_ECDSA_WITH_AES_128_GCM_SHA256', keyExchange: 'ecdhe_ecdsa', ...GCM, defined: 'RFC 5289 §3.2' },
  { code: 0xc023, name: 'TLS_ECDHE_ECDSA_WITH_AES_128_CBC_SHA256', keyExchange: 'ecdhe_ecdsa', ...CBC, defined: 'RFC 5289 §3.1' }
]

const BY_CODE = new Map(CIPHER_SUITES.map((s) => [s.code, s]))

/** The suite with this code point, or undefined for one we do not implement. */
export function cipherSuite(code: number): CipherSuite | undefined {
  return BY_CODE.get(code)
}

/** "TLS_PSK_WITH_AES_128_CCM_8 (0xC0A8)", or the bare code for an unknown one (for diagnosis). */
export function describeCipherSuite(code: number): string {
  const hex = '0x' + code.toString(16).toUpperCase().padStart(4, '0')
  const s = BY_CODE.get(code)
  return s === undefined ? hex : `${s.name} (${hex})`
}

/** Key block length: twice each of MAC key, key, fixed IV (RFC 5246 §6.3). */
export function keyBlockLength(s: CipherSuite): number {
  return 2 * (s.macKeyLength + s.encKeyLength + s.fixedIvLength)
}
