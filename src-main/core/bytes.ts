// SPDX-License-Identifier: Apache-2.0
// Byte-array chores several layers need (keys, ETag/Echo comparison, reassembly); one copy so
// they cannot drift apart.

const HEX = Array.from({ length: 256 }, (_, i) => i.toString(16).padStart(2, '0'))

/** Lower-case hex without separators, e.g. for map keys and JSON dumps. */
export function toHex(b: Uint8Array): string {
  let s = ''
  for (let i = 0; i < b.length; i++) s += HEX[b[i] as number]
  return s
}

/** Same bytes; two absent values are equal, an absent and a present one are not. */
export function bytesEqual(a: Uint8Array | undefined, b: Uint8Array | undefined): boolean {
  if (a === undefined || b === undefined) return a === b
  if (a.length !== b.length) return false
  for (let i = 0; i < a.length; i++) if (a[i] !== b[i]) return false
  return true
}

export function concatBytes(parts: readonly Uint8Array[]): Uint8Array {
  let n = 0
  for (const p of parts) n += p.length
  const out = new Uint8Array(n)
  let at = 0
  for (const p of parts) {
    out.set(p, at)
    at += p.length
  }
  return out
}

// Paths, queries, ids and link lists are short ASCII; TextEncoder/TextDecoder cost a call into
// the runtime per string, which under load was a few per cent of the server's CPU (issue 12).
const encoder = new TextEncoder()
const decoder = new TextDecoder('utf-8', { ignoreBOM: true })
const SHORT = 64

/** UTF-8 bytes of `s`. */
export function utf8Bytes(s: string): Uint8Array {
  const n = s.length
  if (n > SHORT) return encoder.encode(s)
  const out = new Uint8Array(n)
  for (let i = 0; i < n; i++) {
    const c = s.charCodeAt(i)
    if (c >= 0x80) return encoder.encode(s)
    out[i] = c
  }
  return out
}

/** `b` as UTF-8 text, an invalid byte as U+FFFD (and a leading BOM kept, as it is data here). */
export function utf8Text(b: Uint8Array): string {
  const n = b.length
  if (n > SHORT) return decoder.decode(b)
  for (let i = 0; i < n; i++) if ((b[i] as number) >= 0x80) return decoder.decode(b)
  // One string made from the codes (appending char by char made one string per character).
  return String.fromCharCode.apply(null, b as unknown as number[])
}

const strict = new TextDecoder('utf-8', { fatal: true })

/** True when `b` is valid UTF-8. */
export function isUtf8(b: Uint8Array): boolean {
  try {
    strict.decode(b)
    return true
  } catch {
    return false
  }
}
