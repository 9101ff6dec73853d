// SPDX-License-Identifier: Apache-2.0
// How a person types a PSK identity and key, wherever they do: bootstrap configurations now, the
// DTLS credential store later. Identities are usually text (often the endpoint name), keys hex or
// base64. The encoding is always said, never guessed: 32 hex digits are also valid base64.
// Limits from T §5 (facts §3.10): identity up to 128 bytes, key up to 64 (16 or more advised).

export type IdentityEncoding = 'text' | 'hex'
export type KeyEncoding = 'hex' | 'base64'

export const MAX_PSK_IDENTITY_BYTES = 128
export const MAX_PSK_KEY_BYTES = 64
export const MIN_ADVISED_PSK_KEY_BYTES = 16

export type EntryResult =
  | { readonly ok: true; readonly bytes: Uint8Array; readonly warning: string | null }
  | { readonly ok: false; readonly problem: string }

/** Hex digits in pairs, nothing else (no spaces, no 0x): what the field holds is what is written. */
export function parseHex(value: string, what: string): EntryResult {
  if (value.length % 2 !== 0) return { ok: false, problem: `${what} has an odd number of hex digits (${value.length}); each byte takes two` }
  const bad = value.search(/[^0-9a-fA-F]/)
  if (bad >= 0) return { ok: false, problem: `${what} is not hex: "${value[bad]}" at position ${bad + 1} (only 0-9 and a-f)` }
  const bytes = new Uint8Array(value.length / 2)
  for (let i = 0; i < bytes.length; i++) bytes[i] = parseInt(value.slice(2 * i, 2 * i + 2), 16)
  return { ok: true, bytes, warning: null }
}

const B64 = 'ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/'

/** Standard base64 (RFC 4648 §4), padding optional; the URL-safe '-' and '_' are read as '+' and '/'. */
export function parseBase64(value: string, what: string): EntryResult {
  const body = value.replace(/=+$/, '')
  if (value.length - body.length > 2 || (value.length !== body.length && value.length % 4 !== 0))
    return { ok: false, problem: `${what} is not base64: wrong padding` }
  if (body.length % 4 === 1) return { ok: false, problem: `${what} is not base64: ${body.length} characters cannot end a base64 text` }
  const bytes = new Uint8Array(Math.floor((body.length * 3) / 4))
  let acc = 0
  let bits = 0
  let n = 0
  for (let i = 0; i < body.length; i++) {
    const c = body[i] === '-' ? '+' : body[i] === '_' ? '/' : (body[i] as string)
    const v = B64.indexOf(c)
    if (v < 0) return { ok: false, problem: `${what} is not base64: "${body[i]}" at position ${i + 1}` }
    acc = (acc << 6) | v
    bits += 6
    if (bits >= 8) {
      bits -= 8
      bytes[n++] = (acc >> bits) & 0xff
    }
  }
  return { ok: true, bytes, warning: null }
}

/** The PSK identity's bytes: UTF-8 of the text, or the hex digits' bytes. */
export function pskIdentity(value: string, encoding: IdentityEncoding): EntryResult {
  const r = encoding === 'text' ? ({ ok: true, bytes: new TextEncoder().encode(value), warning: null } as const) : parseHex(value, 'the PSK identity')
  if (!r.ok) return r
  if (r.bytes.length === 0) return { ok: false, problem: 'the PSK identity is empty' }
  if (r.bytes.length > MAX_PSK_IDENTITY_BYTES)
    return { ok: false, problem: `the PSK identity is ${r.bytes.length} bytes; at most ${MAX_PSK_IDENTITY_BYTES} (T §5)` }
  return r
}

/** The PSK key's bytes from hex or base64. */
export function pskKey(value: string, encoding: KeyEncoding): EntryResult {
  const r = encoding === 'base64' ? parseBase64(value, 'the PSK key') : parseHex(value, 'the PSK key')
  if (!r.ok) return r
  if (r.bytes.length === 0) return { ok: false, problem: 'the PSK key is empty' }
  if (r.bytes.length > MAX_PSK_KEY_BYTES) return { ok: false, problem: `the PSK key is ${r.bytes.length} bytes; at most ${MAX_PSK_KEY_BYTES} (T §5)` }
  if (r.bytes.length < MIN_ADVISED_PSK_KEY_BYTES)
    return { ...r, warning: `the PSK key is only ${r.bytes.length} bytes; ${MIN_ADVISED_PSK_KEY_BYTES} or more are advised` }
  return r
}

/** "16 bytes" / "1 byte", for showing next to an entry field. */
export function byteCount(n: number): string {
  return `${n} ${n === 1 ? 'byte' : 'bytes'}`
}
