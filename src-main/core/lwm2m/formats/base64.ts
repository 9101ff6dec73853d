// SPDX-License-Identifier: Apache-2.0
// Base64 (RFC 4648 §4) and base64url (§5) of our own: core/ has no atob/btoa or Buffer.
// Plain text writes standard Base64 with padding (C Tbl C-2); SenML `vd` is base64url without
// padding. Readers accept both alphabets, padded or not (facts §7: the spec says both).

const STD = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'
const URL = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789-_'

const DECODE = new Int8Array(128).fill(-1)
for (let i = 0; i < 64; i++) {
  DECODE[STD.charCodeAt(i)] = i
  DECODE[URL.charCodeAt(i)] = i
}

export interface Base64Options {
  /** base64url alphabet (RFC 4648 §5) instead of the standard one. */
  readonly url?: boolean
  /** Append '=' up to a multiple of 4 characters (default true). */
  readonly pad?: boolean
}

export function encodeBase64(bytes: Uint8Array, opts: Base64Options = {}): string {
  const alphabet = opts.url ? URL : STD
  const pad = opts.pad ?? true
  let out = ''
  let i = 0
  for (; i + 2 < bytes.length; i += 3) {
    const n = ((bytes[i] as number) << 16) | ((bytes[i + 1] as number) << 8) | (bytes[i + 2] as number)
    out += alphabet[n >> 18]! + alphabet[(n >> 12) & 63]! + alphabet[(n >> 6) & 63]! + alphabet[n & 63]!
  }
  const rest = bytes.length - i
  if (rest === 1) {
    const n = (bytes[i] as number) << 16
    out += alphabet[n >> 18]! + alphabet[(n >> 12) & 63]! + (pad ? '==' : '')
  } else if (rest === 2) {
    const n = ((bytes[i] as number) << 16) | ((bytes[i + 1] as number) << 8)
    out += alphabet[n >> 18]! + alphabet[(n >> 12) & 63]! + alphabet[(n >> 6) & 63]! + (pad ? '=' : '')
  }
  return out
}

export type Base64Parse =
  | { readonly ok: true; readonly bytes: Uint8Array }
  | { readonly ok: false; readonly offset: number; readonly reason: string }

/** Decodes standard or url Base64, with or without padding; `offset` is a character index. */
export function decodeBase64(text: string): Base64Parse {
  let end = text.length
  while (end > 0 && text.charCodeAt(end - 1) === 0x3d /* = */) end--
  const padding = text.length - end
  if (padding > 2 || (padding > 0 && text.length % 4 !== 0)) {
    return { ok: false, offset: end, reason: `${padding} padding character(s) do not complete a 4-character group` }
  }
  if (end % 4 === 1) return { ok: false, offset: end - 1, reason: 'a single character cannot end a Base64 group' }
  const out = new Uint8Array(Math.floor((end * 3) / 4))
  let acc = 0
  let bits = 0
  let p = 0
  for (let i = 0; i < end; i++) {
    const c = text.charCodeAt(i)
    const v = c < 128 ? (DECODE[c] as number) : -1
    if (v < 0) return { ok: false, offset: i, reason: `"${text[i]}" is not a Base64 character` }
    acc = ((acc << 6) | v) & 0xffffff
    bits += 6
    if (bits >= 8) {
      bits -= 8
      out[p++] = (acc >> bits) & 0xff
    }
  }
  return { ok: true, bytes: out }
}

/** SenML `vd` (C Tbl C-2): base64url without padding. */
export function encodeBase64Url(bytes: Uint8Array): string {
  return encodeBase64(bytes, { url: true, pad: false })
}

export interface Base64Decode {
  readonly bytes: Uint8Array
  /** The text used the standard alphabet (+/) or padding: accepted, not canonical for SenML. */
  readonly canonical: boolean
}

/** Either alphabet, padded or not; null when it is not Base64 at all. */
export function decodeBase64Any(text: string): Base64Decode | null {
  // One alphabet per value, and no stray bits in the last character (RFC 4648 §3.5).
  if (/[+/]/.test(text) && /[-_]/.test(text)) return null
  const r = decodeBase64(text)
  if (!r.ok) return null
  const data = text.replace(/=+$/, '')
  const last = data.length % 4
  if (last > 0) {
    const c = data.charCodeAt(data.length - 1)
    const v = c < 128 ? (DECODE[c] as number) : -1
    if ((last === 2 && (v & 15) !== 0) || (last === 3 && (v & 3) !== 0)) return null
  }
  return { bytes: r.bytes, canonical: !/[+/=]/.test(text) }
}
