// SPDX-License-Identifier: Apache-2.0
// Base64 for SenML "vd" (facts §2.3, §7): LwM2M Tbl C-2 says base64url without padding, the
// SenML JSON table just says Base64. We write base64url unpadded and read all four spellings.
const URL_ALPHABET = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'
const DECODE = new Int16Array(128).fill(-1)
for (let i = 0; i < 64; i++) DECODE[URL_ALPHABET.charCodeAt(i)] = i
DECODE['+'.charCodeAt(0)] = 62
DECODE['/'.charCodeAt(0)] = 63

/** RFC 4648 §5 base64url, no padding. */
export function encodeBase64Url(bytes: Uint8Array): string {
  let out = ''
  let i = 0
  const n = bytes.length
  for (; i + 2 < n; i += 3) {
    const v = ((bytes[i] as number) << 16) | ((bytes[i + 1] as number) << 8) | (bytes[i + 2] as number)
    out += URL_ALPHABET[v >> 18]! + URL_ALPHABET[(v >> 12) & 63]! + URL_ALPHABET[(v >> 6) & 63]! + URL_ALPHABET[v & 63]!
  }
  if (n - i === 1) {
    const v = (bytes[i] as number) << 16
    out += URL_ALPHABET[v >> 18]! + URL_ALPHABET[(v >> 12) & 63]!
  } else if (n - i === 2) {
    const v = ((bytes[i] as number) << 16) | ((bytes[i + 1] as number) << 8)
    out += URL_ALPHABET[v >> 18]! + URL_ALPHABET[(v >> 12) & 63]! + URL_ALPHABET[(v >> 6) & 63]!
  }
  return out
}

export interface Base64Decode {
  readonly bytes: Uint8Array
  /** The text used the standard alphabet (+/) or padding: accepted, not canonical. */
  readonly canonical: boolean
}

/**
 * Decodes base64url or standard base64, padded or not. Returns null for anything else (bad
 * characters, mixed alphabets, impossible length, non-zero pad bits).
 */
export function decodeBase64Any(text: string): Base64Decode | null {
  let end = text.length
  let padded = false
  if (end > 0 && text.charCodeAt(end - 1) === 61) {
    padded = true
    end--
    if (end > 0 && text.charCodeAt(end - 1) === 61) end--
    if (text.length % 4 !== 0) return null
  }
  if (end % 4 === 1) return null
  let urlChars = false
  let stdChars = false
  const out = new Uint8Array(Math.floor((end * 3) / 4))
  let acc = 0
  let bits = 0
  let o = 0
  for (let i = 0; i < end; i++) {
    const c = text.charCodeAt(i)
    const d = c < 128 ? (DECODE[c] as number) : -1
    if (d < 0) return null
    if (c === 45 || c === 95) urlChars = true
    else if (c === 43 || c === 47) stdChars = true
    acc = (acc << 6) | d
    bits += 6
    if (bits >= 8) {
      bits -= 8
      out[o++] = (acc >> bits) & 0xff
      acc &= (1 << bits) - 1
    }
  }
  if (urlChars && stdChars) return null
  if (acc !== 0) return null
  return { bytes: out, canonical: !padded && !stdChars }
}
